"""A fake Stripe for the tests: a real HTTP server on loopback that the `stripe` library
talks to through `STRIPE_API_BASE`. Nothing is faked inside the site's own code.

It implements what the site uses: Checkout Sessions (create, retrieve, expire),
PaymentIntents (retrieve), Refunds (create), honours `Idempotency-Key` as Stripe does (the
same key returns the first answer), and refuses a session that expires sooner than 30
minutes or later than 24 hours after it is created, as Stripe does. A hosted page at
`/pay/<session id>` lets a buyer pay or cancel with a plain HTML form. Events are signed as
Stripe signs them (`Stripe-Signature: t=<unix time>,v1=<HMAC-SHA256 of "t.payload">`) and
either posted to `webhook_url` (the site's live server) or kept in `outbox` for a test to
post itself. Helpers act as Stripe's dashboard would: a refund or a dispute made there.

Stripe in trouble, for the API (the hosted page is unaffected): `hang()` accepts each
request and answers nothing until `answer()` (or the test's end), as a network partition
does; `fail()` answers every request with a server error; `latency` makes each answer
take that long (two job runners then overlap on the same rows).

Run it by hand for a local try (see the README): `python -m tests.payments.fake_stripe`.
"""

import contextlib
import hashlib
import hmac
import html
import itertools
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

MIN_LIFETIME = 30 * 60
MAX_LIFETIME = 24 * 60 * 60


def sign(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def parse_form(body: str) -> dict:
    """Stripe's form encoding (`a[b][0][c]=1`) back into nested dicts and lists."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node = root
        for part, _following in itertools.pairwise(parts):
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    def listify(node):
        if isinstance(node, dict):
            if node and all(k.isdigit() for k in node):
                return [listify(node[k]) for k in sorted(node, key=int)]
            return {k: listify(v) for k, v in node.items()}
        return node

    return listify(root)


class FakeStripe:
    def __init__(self, *, secret_key="sk_test_fake", webhook_secret="whsec_fake"):  # noqa: S107
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.webhook_url: str | None = None
        self.outbox: list[tuple[bytes, str]] = []
        self.sessions: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.charges: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict, str | None]] = []
        # Every API request as it arrives, answered or not (a hung one is here at once).
        self.received: list[tuple[str, str]] = []
        self.idempotent: dict[str, tuple[int, dict]] = {}
        self.send_refund_events = False
        self.latency = 0.0
        self.failing: int | None = None
        self.answering = threading.Event()
        self.answering.set()
        self.lock = threading.RLock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.answering.set()  # hung requests end with the test
        self.server.shutdown()
        self.server.server_close()

    # --- what Stripe's dashboard and the buyer do ---

    def pay(self, session_id: str, *, deliver: bool = True, amount: int | None = None) -> dict:
        """The buyer pays on the hosted page; Stripe sends checkout.session.completed."""
        with self.lock:
            session = self.sessions[session_id]
            if session["status"] != "open":
                raise ValueError(f"session {session_id} is {session['status']}")
            amount = session["amount_total"] if amount is None else amount
            intent_id = "pi_" + secrets.token_hex(12)
            charge_id = "ch_" + secrets.token_hex(12)
            self.intents[intent_id] = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount,
                "currency": session["currency"],
                "status": "succeeded",
                "latest_charge": charge_id,
                "metadata": session["_intent_metadata"],
            }
            self.charges[charge_id] = {
                "id": charge_id,
                "object": "charge",
                "amount": amount,
                "amount_refunded": 0,
                "currency": session["currency"],
                "payment_intent": intent_id,
                "refunded": False,
                "refunds": {"object": "list", "data": []},
            }
            session.update(
                status="complete",
                payment_status="paid",
                payment_intent=intent_id,
                amount_total=amount,
            )
            event = self.event("checkout.session.completed", self.public(session))
        if deliver:
            self.deliver(event)
        return event

    def refund_in_dashboard(self, intent_id: str, amount: int | None = None) -> dict:
        with self.lock:
            refund = self._refund(intent_id, amount)
            charge = self.charges[self.intents[intent_id]["latest_charge"]]
            event = self.event("charge.refunded", dict(charge))
        self.deliver(event)
        return refund

    def dispute(self, intent_id: str) -> dict:
        with self.lock:
            intent = self.intents[intent_id]
            dispute = {
                "id": "dp_" + secrets.token_hex(12),
                "object": "dispute",
                "amount": intent["amount"],
                "charge": intent["latest_charge"],
                "payment_intent": intent_id,
                "status": "needs_response",
            }
            event = self.event("charge.dispute.created", dispute)
        self.deliver(event)
        return event

    def event(self, kind: str, obj: dict) -> dict:
        return {
            "id": "evt_" + secrets.token_hex(12),
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "data": {"object": obj},
        }

    def signed(self, event: dict, *, timestamp: int | None = None) -> tuple[bytes, str]:
        payload = json.dumps(event).encode()
        return payload, sign(payload, self.webhook_secret, timestamp=timestamp)

    def deliver(self, event: dict) -> int | None:
        """Post the signed event to the site, as Stripe does; or keep it in `outbox`."""
        payload, header = self.signed(event)
        if not self.webhook_url:
            self.outbox.append((payload, header))
            return None
        request = urllib.request.Request(  # noqa: S310 - loopback, the test's own server
            self.webhook_url,
            data=payload,
            headers={"Content-Type": "application/json", "Stripe-Signature": header},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    @staticmethod
    def public(obj: dict) -> dict:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    # --- Stripe in trouble ---

    def hang(self):
        """Accept every API request and answer none, until `answer()`."""
        self.answering.clear()

    def answer(self):
        """Answer again (what was hung is answered now, as a late Stripe would)."""
        self.answering.set()

    def fail(self, status: int = 500):
        """Answer every API request with this server error (None: answer again)."""
        self.failing = status

    def _trouble(self, method: str, path: str) -> tuple[int, dict] | None:
        """Before an API request is handled: hang, wait, or fail it."""
        with self.lock:
            self.received.append((method, path))
        self.answering.wait(timeout=60)
        if self.latency:
            time.sleep(self.latency)
        if self.failing:
            return self.failing, {"error": {"type": "api_error", "message": "Stripe is down"}}
        return None

    # --- the API ---

    def _refund(self, intent_id: str, amount: int | None) -> dict:
        intent = self.intents.get(intent_id)
        if intent is None:
            raise LookupError("No such payment_intent")
        charge = self.charges[intent["latest_charge"]]
        left = charge["amount"] - charge["amount_refunded"]
        amount = left if amount is None else int(amount)
        if amount <= 0 or amount > left:
            raise ValueError("Refund amount is greater than the unrefunded amount")
        refund = {
            "id": "re_" + secrets.token_hex(12),
            "object": "refund",
            "amount": amount,
            "currency": charge["currency"],
            "payment_intent": intent_id,
            "charge": charge["id"],
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        charge["refunds"]["data"].insert(0, refund)
        return refund

    def _create_session(self, params: dict) -> tuple[int, dict]:
        now = int(time.time())
        expires_at = int(params.get("expires_at") or now + MAX_LIFETIME)
        if not (now + MIN_LIFETIME <= expires_at <= now + MAX_LIFETIME):
            return 400, _error("expires_at must be between 30 minutes and 24 hours from now")
        items = params.get("line_items") or []
        if not items:
            return 400, _error("line_items is required")
        currency = items[0]["price_data"]["currency"]
        total = sum(
            int(item["price_data"]["unit_amount"]) * int(item["quantity"]) for item in items
        )
        session_id = "cs_test_" + secrets.token_hex(16)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "url": f"{self.url}/pay/{session_id}",
            "status": "open",
            "payment_status": "unpaid",
            "mode": params.get("mode"),
            "amount_total": total,
            "currency": currency,
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "metadata": params.get("metadata") or {},
            "payment_intent": None,
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "expires_at": expires_at,
            "_line_items": items,
            "_intent_metadata": (params.get("payment_intent_data") or {}).get("metadata") or {},
        }
        self.sessions[session_id] = session
        return 200, self.public(session)

    def api(self, method: str, path: str, params: dict, key: str | None) -> tuple[int, dict]:
        parts = [p for p in path.split("/") if p]
        with self.lock:
            self.requests.append((method, path, params, key))
            if method == "POST" and key:
                cache_key = f"{path}:{key}"
                if cache_key in self.idempotent:
                    return self.idempotent[cache_key]
            status, body = self._route(method, parts, params)
            if method == "POST" and key and status < 500:
                self.idempotent[f"{path}:{key}"] = (status, body)
            return status, body

    def _route(self, method, parts, params) -> tuple[int, dict]:
        match method, parts:
            case "POST", ["v1", "checkout", "sessions"]:
                return self._create_session(params)
            case "GET", ["v1", "checkout", "sessions", session_id]:
                session = self.sessions.get(session_id)
                return (200, self.public(session)) if session else (404, _error("No such session"))
            case "POST", ["v1", "checkout", "sessions", session_id, "expire"]:
                session = self.sessions.get(session_id)
                if session is None:
                    return 404, _error("No such session")
                if session["status"] != "open":
                    return 400, _error(f"Only open sessions can be expired ({session['status']})")
                session["status"] = "expired"
                return 200, self.public(session)
            case "GET", ["v1", "payment_intents", intent_id]:
                intent = self.intents.get(intent_id)
                return (200, intent) if intent else (404, _error("No such payment_intent"))
            case "POST", ["v1", "refunds"]:
                try:
                    refund = self._refund(
                        params.get("payment_intent", ""), params.get("amount") or None
                    )
                except LookupError as error:
                    return 404, _error(str(error))
                except ValueError as error:
                    return 400, _error(str(error))
                if self.send_refund_events:
                    charge = self.charges[refund["charge"]]
                    threading.Thread(
                        target=self.deliver, args=(self.event("charge.refunded", dict(charge)),)
                    ).start()
                return 200, refund
        return 404, _error("Unrecognized request URL")

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body: bytes, content_type="application/json", headers=()):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> str:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length).decode() if length else ""

            def _authorised(self) -> bool:
                return self.headers.get("Authorization") == f"Bearer {fake.secret_key}"

            def do_GET(self):
                url = urlsplit(self.path)
                if url.path.startswith("/pay/"):
                    return self._hosted_page(url.path.removeprefix("/pay/"))
                if not self._authorised():
                    return self._send(401, json.dumps(_error("Invalid API Key")).encode())
                status, body = fake._trouble("GET", url.path) or fake.api(
                    "GET", url.path, dict(parse_qsl(url.query)), None
                )
                self._send(status, json.dumps(body).encode())

            def do_POST(self):
                url = urlsplit(self.path)
                body = self._body()
                if url.path.startswith("/pay/"):
                    return self._hosted_submit(url.path.removeprefix("/pay/"), body)
                if not self._authorised():
                    return self._send(401, json.dumps(_error("Invalid API Key")).encode())
                key = self.headers.get("Idempotency-Key")
                status, answer = fake._trouble("POST", url.path) or fake.api(
                    "POST", url.path, parse_form(body), key
                )
                self._send(status, json.dumps(answer).encode())

            def _hosted_page(self, session_id):
                session = fake.sessions.get(session_id)
                if session is None:
                    return self._send(404, b"No such session", "text/plain")
                amount = f"${session['amount_total'] / 100:.2f}"
                if session["status"] != "open":
                    page = f"<p>This payment page is {html.escape(session['status'])}.</p>"
                else:
                    page = (
                        f'<form method="post"><p>Pay {amount} to the association '
                        f"({html.escape(session['client_reference_id'] or '')}).</p>"
                        '<label>Card number <input name="card" value="4242424242424242">'
                        "</label>"
                        '<button name="action" value="pay">Pay</button> '
                        '<button name="action" value="cancel">Cancel</button></form>'
                    )
                document = (
                    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                    f"<title>Fake Stripe Checkout</title></head><body><main><h1>Fake Stripe"
                    f"</h1>{page}</main></body></html>"
                )
                self._send(200, document.encode(), "text/html; charset=utf-8")

            def _hosted_submit(self, session_id, body):
                session = fake.sessions.get(session_id)
                if session is None:
                    return self._send(404, b"No such session", "text/plain")
                action = dict(parse_qsl(body)).get("action")
                if action == "pay" and session["status"] == "open":
                    fake.pay(session_id)
                    target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
                else:
                    target = session["cancel_url"]
                self._send(303, b"", "text/plain", headers=[("Location", target)])

        return Handler


def _error(message: str) -> dict:
    return {"error": {"type": "invalid_request_error", "message": message}}


if __name__ == "__main__":
    import os

    fake = FakeStripe(
        secret_key=os.environ.get("STRIPE_SECRET_KEY", "sk_test_fake"),
        webhook_secret=os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_fake"),
    )
    fake.webhook_url = os.environ.get(
        "FAKE_STRIPE_WEBHOOK_URL", "http://127.0.0.1:8000/payments/stripe/webhook/"
    )
    with fake:
        print(f"Fake Stripe at {fake.url}: set STRIPE_API_BASE={fake.url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            fake.thread.join()
