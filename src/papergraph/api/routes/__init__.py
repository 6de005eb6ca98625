"""One router per area, as in the FastAPI project template."""
