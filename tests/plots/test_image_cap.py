"""No chart becomes a huge image: a figure larger than MAX_PIXELS at DPI is saved smaller."""

from __future__ import annotations

import struct

import matplotlib.figure

from sim.plots.style import DPI, MAX_PIXELS, save_figure


def png_size(path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (bytes 16 to 24)."""
    return struct.unpack(">II", path.read_bytes()[16:24])


def test_a_tall_figure_is_capped_and_a_small_one_keeps_its_resolution(tmp_path):
    tall = matplotlib.figure.Figure(figsize=(4, 100))  # 600 x 15,000 px at 150 dpi
    small = matplotlib.figure.Figure(figsize=(4, 3))
    (png, _), (png_small, _) = (
        save_figure(tall, tmp_path, "tall"),
        save_figure(small, tmp_path, "s"),
    )
    assert png_size(png) == (4 * MAX_PIXELS // 100, MAX_PIXELS)  # 160 x 4000
    assert png_size(png_small) == (4 * DPI, 3 * DPI)
