"""The demo organisations loaded by ``fieldloop demo``: Demo (Shanghai, a year of pipeline) and Northwind."""
