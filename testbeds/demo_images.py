"""Illustrations for the demo test beds, drawn in code (no downloads, no stock photos)."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 1000


def _sky(
    draw: ImageDraw.ImageDraw, top: tuple[int, int, int], bottom: tuple[int, int, int], horizon: int
) -> None:
    for y in range(horizon):
        t = y / max(horizon - 1, 1)
        colour = tuple(int(top[i] + (bottom[i] - top[i]) * t) for i in range(3))
        draw.line([(0, y), (WIDTH, y)], fill=colour)


def _street(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    horizon = 560
    _sky(draw, (94, 146, 204), (214, 228, 240), horizon)
    for x in range(0, WIDTH, 140):
        h = rng.randint(180, 380)
        shade = rng.randint(120, 180)
        draw.rectangle([x, horizon - h, x + 130, horizon], fill=(shade, shade - 20, shade - 40))
        for wy in range(horizon - h + 20, horizon - 30, 50):
            for wx in range(x + 15, x + 120, 35):
                draw.rectangle(
                    [wx, wy, wx + 18, wy + 28],
                    fill=(250, 230, 160) if rng.random() < 0.4 else (60, 70, 90),
                )
    draw.polygon(
        [(0, HEIGHT), (WIDTH, HEIGHT), (WIDTH * 0.6, horizon), (WIDTH * 0.4, horizon)],
        fill=(70, 72, 78),
    )
    draw.rectangle([0, horizon, WIDTH, horizon + 10], fill=(150, 150, 150))
    for i in range(6):
        y = horizon + 40 + i * 70
        draw.line([(WIDTH / 2, y), (WIDTH / 2, y + 35)], fill=(240, 240, 240), width=8)
    for x in (220, 1380):
        draw.rectangle([x, 300, x + 14, horizon + 120], fill=(40, 40, 45))
        draw.rectangle([x - 40, 290, x + 54, 310], fill=(40, 40, 45))
        draw.ellipse([x - 18, 250, x + 32, 300], fill=(29, 112, 184))


def _ward(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle([0, 0, WIDTH, HEIGHT], fill=(226, 236, 240))
    draw.rectangle([0, 620, WIDTH, HEIGHT], fill=(180, 200, 205))
    for i in range(4):
        x = 120 + i * 370
        draw.rectangle(
            [x, 150, x + 260, 330], fill=(160, 205, 235), outline=(255, 255, 255), width=10
        )
        draw.rectangle(
            [x, 520, x + 300, 640], fill=(250, 250, 250), outline=(120, 130, 140), width=4
        )
        draw.rectangle([x + 10, 480, x + 110, 530], fill=(210, 225, 245))
        draw.rectangle([x + 230, 400, x + 290, 480], fill=(40, 50, 60))
        draw.line([(x + 240, 420), (x + 280, 440), (x + 250, 460)], fill=(0, 200, 120), width=4)


def _depot(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (40, 60, 110), (240, 170, 120), 500)
    draw.rectangle([0, 500, WIDTH, HEIGHT], fill=(90, 95, 100))
    draw.polygon([(100, 500), (1500, 500), (1400, 260), (200, 260)], fill=(150, 155, 160))
    colours = [(0, 112, 60), (29, 112, 184), (212, 53, 28), (255, 221, 0)]
    for i in range(5):
        x = 140 + i * 280
        colour = colours[i % len(colours)]
        draw.rounded_rectangle([x, 560, x + 240, 760], radius=24, fill=colour)
        for wx in range(x + 15, x + 230, 55):
            draw.rectangle([wx, 585, wx + 40, 640], fill=(200, 225, 240))
        draw.ellipse([x + 30, 735, x + 80, 785], fill=(20, 20, 20))
        draw.ellipse([x + 160, 735, x + 210, 785], fill=(20, 20, 20))
        draw.rectangle([x + 250, 600, x + 262, 760], fill=(30, 30, 30))


def _park(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (120, 180, 230), (225, 240, 250), 520)
    draw.rectangle([0, 520, WIDTH, HEIGHT], fill=(96, 160, 80))
    draw.polygon([(700, HEIGHT), (900, HEIGHT), (820, 520), (780, 520)], fill=(200, 180, 140))
    for _ in range(14):
        x = rng.randint(0, WIDTH)
        y = rng.randint(480, 700)
        size = rng.randint(60, 140)
        draw.rectangle([x - 8, y, x + 8, y + size], fill=(100, 70, 40))
        draw.ellipse(
            [x - size // 2, y - size, x + size // 2, y + size // 4],
            fill=(40, rng.randint(110, 150), 50),
        )
    for x in (400, 1200):
        draw.rectangle([x, 600, x + 30, 700], fill=(60, 60, 65))
        draw.rectangle([x - 10, 580, x + 40, 600], fill=(255, 221, 0))


def _lab(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle([0, 0, WIDTH, HEIGHT], fill=(235, 235, 230))
    draw.rectangle([0, 640, WIDTH, HEIGHT], fill=(120, 110, 100))
    draw.rectangle([80, 520, 1520, 640], fill=(80, 90, 100))
    for i in range(6):
        x = 140 + i * 230
        draw.rectangle([x, 330, x + 170, 500], fill=(25, 35, 45), outline=(150, 150, 150), width=6)
        for line in range(5):
            y = 360 + line * 25
            draw.line([(x + 20, y), (x + rng.randint(60, 150), y)], fill=(0, 200, 160), width=5)
    draw.ellipse([1200, 120, 1400, 320], outline=(29, 112, 184), width=14)
    draw.line([(1300, 120), (1300, 60)], fill=(29, 112, 184), width=10)


def _farm(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (110, 170, 225), (250, 240, 210), 460)
    for i in range(8):
        y = 460 + i * 70
        draw.rectangle(
            [0, y, WIDTH, y + 70], fill=(110 + i * 8, 140 + i * 6, 60) if i % 2 else (160, 140, 70)
        )
    draw.rectangle([1150, 300, 1450, 470], fill=(160, 40, 30))
    draw.polygon([(1130, 300), (1470, 300), (1300, 200)], fill=(90, 30, 25))
    for _ in range(3):
        x, y = rng.randint(200, 900), rng.randint(150, 350)
        draw.rectangle([x, y, x + 60, y + 18], fill=(30, 30, 35))
        draw.line([(x - 30, y - 5), (x + 90, y - 5)], fill=(30, 30, 35), width=4)


SCENES = {
    "street": _street,
    "ward": _ward,
    "depot": _depot,
    "park": _park,
    "lab": _lab,
    "farm": _farm,
}


def demo_photo(scene: str, seed: int) -> bytes:
    """A JPEG illustration of a kind of place, the same for the same seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", (WIDTH, HEIGHT))
    SCENES[scene](ImageDraw.Draw(image), rng)
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
