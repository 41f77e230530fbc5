"""Chief's example: an event resource in three versions, every version strategy on.

camshaft serve examples.events.app:app
curl http://127.0.0.1:8000/events/1
curl http://127.0.0.1:8000/v1.1/events/1
curl -H 'Accept: application/json; version=1.2' http://127.0.0.1:8000/events/1
curl -H 'API-Version: 1.2' http://127.0.0.1:8000/events/1
curl 'http://127.0.0.1:8000/events/1?version=1.1'
"""

from camshaft import App, Handler


class EventHandler(Handler):
    """An event. Version 1.0, the default."""

    key_pattern = r"\d{1,18}"

    def read(self, key):
        return {"id": int(key), "message": "Hello!"}


class EventHandler_v11(Handler):
    """Version 1.1 says which version it is."""

    version = 1.1
    key_pattern = r"\d{1,18}"

    def read(self, key):
        return {"id": int(key), "message": "Hello!", "version": "1.1"}


class EventHandler_v12(Handler):
    """Version 1.2 adds a greeting for the event's number."""

    version = 1.2
    key_pattern = r"\d{1,18}"

    def read(self, key):
        return {"id": int(key), "message": f"Hello, event {int(key)}!", "version": "1.2"}


app = App(
    [EventHandler, EventHandler_v11, EventHandler_v12],
    settings={"versioning": {"strategies": ["url", "header", "accept", "query"]}},
)
