"""Private: the kernel's own modules. Not a public API."""
