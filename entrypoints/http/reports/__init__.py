"""Renderings of the vitals report: CSV rows and an SVG trend chart."""
