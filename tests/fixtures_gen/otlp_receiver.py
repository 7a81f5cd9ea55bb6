"""A local OTLP/HTTP receiver for the export tests and the team benchmark: it keeps every POST to /v1/metrics,
decoded with the official `opentelemetry-proto` definitions, and answers with the status the caller sets."""

from __future__ import annotations

import gzip
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest


class Receiver:
    def __init__(self) -> None:
        self.requests: list[ExportMetricsServiceRequest] = []
        self.raw: list[bytes] = []
        self.status = 200
        self.url = ""

    def points(self, name: str, start: int = 0) -> list[tuple[dict[str, str], float, Any]]:
        """(attributes, value, metric) of every data point of metric `name` in the requests from `start` on."""
        found = []
        for request in self.requests[start:]:
            for resource_metrics in request.resource_metrics:
                for scope in resource_metrics.scope_metrics:
                    for metric in scope.metrics:
                        if metric.name != name:
                            continue
                        for point in metric.sum.data_points:
                            attrs = {kv.key: kv.value.string_value for kv in point.attributes}
                            value = point.as_double if point.HasField("as_double") else point.as_int
                            found.append((attrs, value, metric))
        return found

    def total(self, name: str, start: int = 0, **match: str) -> float:
        return sum(v for attrs, v, _ in self.points(name, start)
                   if all(attrs.get(k.replace("_", ".")) == want for k, want in match.items()))

    def by(self, name: str, attribute: str, start: int = 0) -> dict[str, float]:
        sums: dict[str, float] = defaultdict(float)
        for attrs, value, _ in self.points(name, start):
            sums[attrs.get(attribute, "")] += value
        return dict(sums)


@contextmanager
def otlp_receiver() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path == "/v1/metrics" and receiver.status == 200:
                request = ExportMetricsServiceRequest()
                request.ParseFromString(body)
                receiver.requests.append(request)
                receiver.raw.append(body)
            self.send_response(receiver.status if self.path == "/v1/metrics" else 404)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)
