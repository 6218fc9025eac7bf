"""The bundled demo data, installed as the package ``siting.demo_data`` (see pyproject.toml).

Only this file is code: it makes the folder a package so that ``importlib.resources`` finds the demo
town both in a source checkout and in an installed wheel.
"""
