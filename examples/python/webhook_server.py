"""Receive the sandbox's signed status webhooks on a local HTTP server, verify each body's
X-Hub-Signature-256 and parse it into typed events."""

import http.server
import threading
import time
from typing import Any, List

import wacrm
from wacrm.messages import Template
from wacrm.webhook import StatusEvent, WebhookEvent

SECRET = "example-app-secret"
events: List[WebhookEvent] = []


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            events.extend(wacrm.webhook.verify_and_parse(SECRET, body, self.headers.get("X-Hub-Signature-256")))
            self.send_response(200)
        except wacrm.WebhookSignatureError:
            self.send_response(401)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=server.serve_forever, daemon=True).start()
sb = wacrm.Sandbox(webhook_url=f"http://127.0.0.1:{server.server_port}/webhook", app_secret=SECRET)
client = wacrm.Client(sb.access_token, sb.base_url)
sent = client.send(sb.phone_number_id, "+1 202 555 0100", Template("hello_world")).message_id
deadline = time.time() + 10
while time.time() < deadline and not any(isinstance(e, StatusEvent) and e.status == "read" for e in events):
    time.sleep(0.05)
for e in events:
    if isinstance(e, StatusEvent):
        print(e.id == sent, e.status, e.routing.phone_number_id, e.pricing)
server.shutdown()
