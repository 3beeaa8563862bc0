"""Stand-ins for the mail server at the network boundary, as the outbox's delivery backend."""

import asyncio
import threading

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

REFUSING = "tests.outbox.mail_servers.RefusingEmailBackend"
COUNTING = "tests.outbox.mail_servers.CountingEmailBackend"


class RefusingEmailBackend(BaseEmailBackend):
    """A mail server that is down: every send fails, as SMTP would."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


class CountingEmailBackend(LocmemBackend):
    """locmem that also counts the connections opened (one per batch is the rule)."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return super().open()


def delivered_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


class SmtpSink:
    """A mail server on a local port, in a thread of the test: keeps each message's
    recipients, and may take `pause` seconds to answer after each message's data (the
    moment the sender hands it over)."""

    def __init__(self, *, pause: float = 0.0):
        self.pause = pause
        self.recipients: list[list[str]] = []
        self.loop = asyncio.new_event_loop()
        listening = threading.Event()
        # The loop is started and run in its own thread: the test's thread may already
        # run an event loop (Playwright's sync API leaves one in a worker that ran a
        # browser test), and a second one cannot be run there.
        self.thread = threading.Thread(target=self._serve, args=(listening,), daemon=True)
        self.thread.start()
        if not listening.wait(10):
            raise RuntimeError("The test's mail server did not start.")
        self.port = self.server.sockets[0].getsockname()[1]

    def _serve(self, listening: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self._session, "127.0.0.1", 0)
        )
        listening.set()
        self.loop.run_forever()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def _session(self, reader, writer):
        writer.write(b"220 sink ESMTP\r\n")
        in_data, rcpt = False, []
        while line := await reader.readline():
            if in_data:
                if line in (b".\r\n", b".\n"):
                    in_data = False
                    self.recipients.append(rcpt)
                    rcpt = []
                    await asyncio.sleep(self.pause)
                    writer.write(b"250 taken\r\n")
                    await writer.drain()
                continue
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                writer.write(b"250 sink\r\n")
            elif verb == b"RCPT":
                rcpt.append(line.decode().split("<", 1)[1].split(">", 1)[0])
                writer.write(b"250 ok\r\n")
            elif verb == b"DATA":
                in_data = True
                writer.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
