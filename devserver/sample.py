"""The demo's product photo, drawn here so the repository ships no binary: a bottle of
"Aurora" cold brew on a soft studio backdrop, with a shadow and a label."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE = (900, 1200)


def sample_product_png() -> bytes:
    width, height = SIZE
    image = Image.new("RGB", SIZE, "#e9e4dc")
    draw = ImageDraw.Draw(image)
    for y in range(height):  # studio backdrop: a soft vertical gradient
        shade = int(233 - 60 * (y / height) ** 2)
        draw.line([(0, y), (width, y)], fill=(shade, shade - 5, shade - 12))

    shadow = Image.new("L", SIZE, 0)
    ImageDraw.Draw(shadow).ellipse([250, 1010, 650, 1080], fill=150)
    image.paste((60, 50, 40), mask=shadow.filter(ImageFilter.GaussianBlur(18)))

    body = [300, 380, 600, 1040]
    draw.rounded_rectangle(body, radius=60, fill="#2b1d14")
    draw.rectangle([390, 250, 510, 400], fill="#2b1d14")  # neck
    draw.rounded_rectangle([380, 200, 520, 270], radius=14, fill="#c9a45c")  # cap
    draw.rounded_rectangle([312, 420, 340, 980], radius=14, fill="#5a4536")  # highlight
    draw.rectangle([300, 560, 600, 820], fill="#f3ead8")  # label
    draw.rectangle([300, 575, 600, 580], fill="#c9a45c")
    draw.rectangle([300, 800, 600, 805], fill="#c9a45c")
    font = ImageFont.load_default(size=58)
    small = ImageFont.load_default(size=26)
    draw.text((450, 660), "AURORA", font=font, fill="#2b1d14", anchor="mm")
    draw.text((450, 735), "COLD BREW", font=small, fill="#7a5c3e", anchor="mm")

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
