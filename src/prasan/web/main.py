"""The ASGI entry point for servers: ``uvicorn prasan.web.main:app``."""

from prasan.web.app import create_app

app = create_app(migrate=False)  # `prasan serve` migrates once before the workers start
