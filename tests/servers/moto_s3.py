"""An S3-compatible server on loopback: moto's server mode, in a thread of the test run."""

import urllib.request

import boto3
from moto.server import ThreadedMotoServer

# moto accepts any credentials; these keep boto3 from looking for real ones.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class MotoS3:
    """`with MotoS3() as s3: s3.url, s3.client` (credentials must be in the environment)."""

    def __init__(self):
        # Port 0: the system picks a free port as the server binds it, so that test runs
        # in parallel (pytest-xdist) never race for one (a port already taken would leave
        # moto's start() waiting forever).
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.port = None
        self.url = None
        self.client = None

    def __enter__(self):
        self.server.start()
        self.port = self.server.get_host_and_port()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.client = boto3.client("s3", endpoint_url=self.url, region_name="us-east-1")
        return self

    def __exit__(self, *exc):
        # moto keeps its buckets in this process, not in the server: the next test starts
        # from none.
        reset = urllib.request.Request(  # noqa: S310 - loopback
            f"{self.url}/moto-api/reset", method="POST"
        )
        urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310 - loopback
        self.server.stop()

    def public_bucket(self, name: str) -> str:
        """A bucket anyone may read, as media buckets are (links to media are unsigned)."""
        self.client.create_bucket(Bucket=name)
        self.client.put_bucket_policy(
            Bucket=name,
            Policy=(
                '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",'
                f' "Action": "s3:GetObject", "Resource": "arn:aws:s3:::{name}/*"}}]}}'
            ),
        )
        return name
