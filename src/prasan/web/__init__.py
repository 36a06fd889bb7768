"""The one FastAPI application that mounts every part: pages, the JSON API and static assets."""
