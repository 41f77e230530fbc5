"""web.py's document store, served by Camshaft.

export DOCSTORE_API_KEY=$(python -c 'import camshaft_httpauth as h; print(h.make_api_key()[0])')
camshaft serve examples.docstore.app:app
curl -X PUT --data-binary @photo.png -H 'Content-Type: image/png' \
    -H "X-API-Key: $DOCSTORE_API_KEY" http://127.0.0.1:8000/docs/photo.png   # 201 Created
curl -i http://127.0.0.1:8000/docs/photo.png                 # the same bytes, image/png
curl http://127.0.0.1:8000/docs/                             # [{"key": "photo.png", ...}]
curl -X DELETE -H "X-API-Key: $DOCSTORE_API_KEY" http://127.0.0.1:8000/docs/photo.png  # 204

Reading is open; writing needs the key (401 without it). HTML, SVG, JavaScript and XML
documents are served as downloads (Content-Disposition: attachment), every document with
X-Content-Type-Options: nosniff.

DOCSTORE_BACKEND=memory|file|shelve and DOCSTORE_ROOT=<dir> choose where documents live
(default: files under var/kv/docs/ in the working directory).
"""

from .handlers import build_app

app = build_app()
