"""web.py's document store, served by Camshaft.

camshaft serve examples.docstore.app:app
curl -X PUT --data-binary @photo.png -H 'Content-Type: image/png' \
    http://127.0.0.1:8000/docs/photo.png                     # 201 Created
curl -i http://127.0.0.1:8000/docs/photo.png                 # the same bytes, image/png
curl http://127.0.0.1:8000/docs/                             # [{"key": "photo.png", ...}]
curl -X DELETE http://127.0.0.1:8000/docs/photo.png          # 204

DOCSTORE_BACKEND=memory|file|shelve and DOCSTORE_ROOT=<dir> choose where documents live
(default: files under var/kv/docs/ in the working directory).
"""

from .handlers import build_app

app = build_app()
