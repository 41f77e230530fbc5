"""web.py's document store as a Camshaft app: any bytes, any Content-Type, by key."""
