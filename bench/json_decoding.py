"""How the Python twins decode request JSON (bench/README.md).

Stock Dash decodes with the standard library (Flask's default JSON provider). With
BENCH_ORJSON=1 the twin installs a Flask JSON provider whose `loads` is orjson's: the
"Python + orjson" server of the table, i.e. Python Dash with a faster parser. Answers are
encoded as in stock Dash in both cases (plotly's engine forced to the standard library, so
that orjson being installed in the venv does not change the stock twin).
"""
import os

import plotly.io as pio
from flask.json.provider import DefaultJSONProvider

pio.json.config.default_engine = "json"


class OrjsonProvider(DefaultJSONProvider):
    """Flask's default provider, decoding with orjson (request.get_json() uses it)."""

    def loads(self, s, **kwargs):
        import orjson
        return orjson.loads(s)


def configure(server):
    """Installs the orjson provider on the Flask `server` when BENCH_ORJSON=1."""
    if os.environ.get("BENCH_ORJSON") == "1":
        server.json = OrjsonProvider(server)
