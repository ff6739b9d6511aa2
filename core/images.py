"""Every uploaded photo goes through here: checked, cleaned and cut into renditions.

``process_image(upload)`` reads at most ``max_bytes`` + 1 bytes, lets Pillow decide what the
content is (never the file name or the declared content type), and returns re-encoded
renditions built from pixels only. Storing them is the caller's job.

Decisions, so that the next person does not have to guess:

- **Accepted**: JPEG (including the MPO variant phones write), PNG and WebP, identified by
  Pillow's JPEG, PNG and WebP plugins only; no other parser sees the bytes. Animated PNG and
  WebP keep their first frame. Everything else is refused with an ``ImageRejected``.
- **Bombs**: an image over ``MAX_PIXELS`` is refused from its header, before any pixel is
  decoded; Pillow's own DecompressionBombWarning/Error become ``ImageRejected`` too.
- **What "original" means**: the stored original is *not* the uploaded file. It is a
  re-encoded copy, long edge capped at 3200 px. The uploaded bytes are never stored.
- **Metadata**: none survives. Renditions are encoded from pixels with no EXIF (so no GPS),
  XMP, comments, PNG text chunks or ICC profile. The EXIF orientation is applied to the
  pixels first (the same mapping as ``ImageOps.exif_transpose``).
- **Colour**: an embedded ICC profile that is not sRGB (Display P3, Adobe RGB, a CMYK press
  profile) is converted to sRGB with LittleCMS, then dropped; browsers and PDF viewers
  assume sRGB for untagged images. This costs about 100-150 ms for a 3200 px image, so it
  is skipped for sRGB profiles. A profile LittleCMS cannot use is dropped unconverted.
  Images with transparency drop their profile unconverted.
- **Transparency**: an image whose alpha channel is actually used (some pixel not fully
  opaque) keeps it, and all its renditions are PNG. Every other image, including an RGBA PNG
  that is fully opaque, becomes RGB and every rendition is a JPEG (quality 82, baseline).
- **Renditions** (long edge, never upscaled): original 3200, print 1600 (evidence-pack PDFs),
  display 1024, thumbnail 320. Each is derived from the one before it. A rendition that would
  have the same size as the one before shares its bytes.
- **Speed** (``bench/bench_images.py``): a 12-megapixel phone JPEG takes 250-280 ms (median)
  on the two-core development machine when its second core is free; the work is about
  340 ms of CPU, so with the other core busy it takes about that. JPEGs larger than needed
  are decoded at 1/2, 1/4 or 1/8 scale by libjpeg (``draft``); the big first resize runs in
  two bands on two threads, and renditions are encoded on a second thread while the smaller
  ones are made (Pillow releases the GIL for both). Decoding a 12 MP JPEG at full size is
  ~90 ms and cannot be split; ``Resampling.BOX`` for the first resize would save ~20 ms but
  aliases fine regular detail (railings, blinds) at the 1.25 factor, so Hamming it is.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageCms

__all__ = [
    "ACCEPTED_FORMATS",
    "MAX_PIXELS",
    "RENDITION_LONG_EDGES",
    "ImageRejected",
    "ProcessedImage",
    "Rendition",
    "UploadRejected",
    "process_image",
    "read_upload",
]

#: Largest image accepted, in pixels (width x height), checked before decoding.
MAX_PIXELS = 50_000_000
#: Pillow format names that may be decoded. "MPO" is a JPEG with extra frames.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
#: Long-edge cap of each rendition, largest first: each is derived from the one before.
RENDITION_LONG_EDGES = {"original": 3200, "print": 1600, "display": 1024, "thumbnail": 320}
JPEG_QUALITY = 82
#: zlib level for PNG renditions: 3 is several times faster than the default 6.
PNG_COMPRESS_LEVEL = 3

# EXIF orientation -> the transposition that shows the picture upright (as ImageOps uses).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_ORIENTATION = 0x0112
# Formats people upload by mistake that Pillow should not even try: named in the message.
_OTHER_IMAGES = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"8BPS", "Photoshop"),
    (b"BM", "BMP"),
)
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}
_QUARTER_TURNS = {
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_270,
    Image.Transpose.TRANSPOSE,
    Image.Transpose.TRANSVERSE,
}
#: The first resize (e.g. 4000 -> 3200) runs on two threads above this many pixels.
_SPLIT_ABOVE_PIXELS = 1_000_000
#: Filter of that first resize: Hamming costs half of bicubic and is sharper than bilinear
#: at the small factors left after JPEG draft decoding (under 2).
FIRST_RESAMPLE = Image.Resampling.HAMMING
_SRGB = ImageCms.createProfile("sRGB")


class UploadRejected(ValueError):
    """An upload refused with a message for the person who sent it, and a machine code.

    The base of ``ImageRejected`` and ``core.documents.DocumentRejected``; ``code ==
    "too_large"`` is the one callers answer with 413, the rest are plain bad input.
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ImageRejected(UploadRejected):
    """Not an acceptable image. ``code`` is one of "too_large", "not_an_image",
    "unsupported_format", "too_many_pixels", "corrupt"."""


@dataclass(frozen=True)
class Rendition:
    """One encoded size of an image, ready to store."""

    name: str  # "original" | "print" | "display" | "thumbnail"
    content: bytes
    width: int
    height: int
    content_type: str  # "image/jpeg" | "image/png"
    extension: str  # "jpg" | "png"


@dataclass(frozen=True)
class ProcessedImage:
    """The renditions of one upload, keyed by name."""

    renditions: dict[str, Rendition]
    sha256: str  # of renditions["original"].content, the re-encoded original
    source_format: str  # "JPEG" | "PNG" | "WEBP", as Pillow identified the upload


def read_upload(
    upload: IO[bytes], *, max_bytes: int, error: type[UploadRejected] = UploadRejected
) -> bytes:
    """The upload's bytes from the start, refusing more than ``max_bytes`` before reading.

    The size comes from ``upload.size`` (Django files) or seek/tell; a stream that has
    neither is read in chunks and never beyond ``max_bytes`` + 1 bytes. The read position
    is left at 0 when the upload can seek.
    """
    too_large = error(
        _("The selected file must be smaller than %(size)s.") % {"size": _megabytes(max_bytes)},
        code="too_large",
    )
    seekable = _seekable(upload)
    size = getattr(upload, "size", None)
    if not isinstance(size, int) and seekable:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
    if isinstance(size, int) and size > max_bytes:
        _rewind(upload)
        raise too_large
    if seekable:
        upload.seek(0)
    chunks: list[bytes] = []
    remaining = max_bytes + 1  # one byte more tells a size that lied
    while remaining > 0:
        chunk = upload.read(min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    _rewind(upload)
    if remaining <= 0:
        raise too_large
    return b"".join(chunks)


def process_image(upload: IO[bytes], *, max_bytes: int | None = None) -> ProcessedImage:
    """Verify an uploaded image and return its metadata-free renditions.

    ``upload`` is a Django ``UploadedFile`` or any binary file object; ``max_bytes``
    defaults to ``settings.MAX_UPLOAD_BYTES``. Raises ``ImageRejected``.
    """
    limit = settings.MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    data = read_upload(upload, max_bytes=limit, error=ImageRejected)
    if not data:
        raise ImageRejected(_("The selected file is empty."), code="not_an_image")
    source_format = _verify(data)
    try:
        image, orientation, icc_profile = _decode(data)
        original = _upright_original(_working_copy(image), orientation)
        renditions = _renditions(_to_srgb(original, icc_profile))
    except ImageRejected:
        raise
    except Exception as exc:  # whatever Pillow trips over in hostile bytes is a bad file
        raise _corrupt() from exc
    return ProcessedImage(
        renditions=renditions,
        sha256=hashlib.sha256(renditions["original"].content).hexdigest(),
        source_format=source_format,
    )


def _verify(data: bytes) -> str:
    """Identify and verify the image without decoding its pixels; return its format."""
    try:
        # catch_warnings is process-wide: a racing thread may briefly see the bomb warning
        # as an error too. Harmless: whatever Pillow warns about is over MAX_PIXELS anyway.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                _check_pixels(image.size)
                source_format = "JPEG" if image.format == "MPO" else image.format
                image.verify()  # checks PNG chunk CRCs; it leaves the image unusable
    except ImageRejected:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels() from None
    except Image.UnidentifiedImageError:
        raise _not_accepted(data) from None
    except Exception as exc:
        raise _corrupt() from exc
    if source_format not in ACCEPTED_FORMATS:  # pragma: no cover - plugins are restricted
        raise _not_accepted(data)
    return source_format


def _decode(data: bytes) -> tuple[Image.Image, int, bytes | None]:
    """Decode the first frame, as small as the original rendition allows.

    Returns the image, its EXIF orientation (1 when absent or nonsense) and its ICC profile.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    _check_pixels(image.size)
    if image.format in ("JPEG", "MPO"):
        # libjpeg scales by 1/2, 1/4 or 1/8 while decoding, never below the size asked for.
        image.draft("RGB", _fit(image.size, RENDITION_LONG_EDGES["original"]))
    image.load()  # a truncated file raises OSError here
    try:
        orientation = int(image.getexif().get(_EXIF_ORIENTATION, 1))
    except Exception:  # unreadable EXIF: show the pixels as they are stored
        orientation = 1
    icc_profile = image.info.get("icc_profile")
    return image, orientation if orientation in _UPRIGHT else 1, icc_profile or None


def _working_copy(image: Image.Image) -> Image.Image:
    """RGB, or premultiplied RGBa when transparency is used; CMYK stays for the ICC step.

    The result carries no metadata: ``info`` is emptied, and every later image copies it.
    """
    if _has_alpha(image):
        rgba = image.convert("RGBA")
        if rgba.getchannel("A").getextrema()[0] < 255:
            working = rgba.convert("RGBa")  # premultiplied, so resizing does not bleed colour
            working.info = {}
            return working
        image = rgba
    if image.mode.startswith("I"):  # 16-bit greyscale PNG: scale to 8 bits, do not clip
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode not in ("RGB", "CMYK"):
        image = image.convert("RGB")
    image.info = {}
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert RGB/CMYK pixels from their embedded profile to sRGB; always return RGB(a)."""
    if icc_profile and image.mode in ("RGB", "CMYK"):
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            if image.mode == "CMYK" or "srgb" not in _profile_name(profile):
                converted = ImageCms.profileToProfile(image, profile, _SRGB, outputMode="RGB")
                if converted is not None:
                    converted.info = {}
                    return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a profile LittleCMS cannot use is dropped unconverted
    if image.mode == "CMYK":
        image = image.convert("RGB")
        image.info = {}
    return image


def _profile_name(profile: ImageCms.ImageCmsProfile) -> str:
    return (ImageCms.getProfileDescription(profile) or "").replace(" ", "").lower()


def _upright_original(image: Image.Image, orientation: int) -> Image.Image:
    """The original rendition's pixels: long edge capped, turned the right way up.

    A big image is resized in two bands on two threads (Pillow releases the GIL while it
    resamples), each band turned upright in its own thread. Each band's filter still reads
    source rows across the seam (Pillow clamps to the image, not the box), so the result
    matches a single resize to within rounding.
    """
    turn = _UPRIGHT.get(orientation)
    size = _fit(image.size, RENDITION_LONG_EDGES["original"])
    if size == image.size:
        return image.transpose(turn) if turn is not None else image
    if size[0] * size[1] <= _SPLIT_ABOVE_PIXELS:
        image = image.resize(size, FIRST_RESAMPLE, reducing_gap=2.0)
        return image.transpose(turn) if turn is not None else image

    width, height = size
    middle = height // 2
    seam = middle * image.height / height

    def band(top: int, bottom: int, source_top: float, source_bottom: float) -> Image.Image:
        box = (0.0, source_top, float(image.width), source_bottom)
        piece = image.resize((width, bottom - top), FIRST_RESAMPLE, box, reducing_gap=2.0)
        return piece.transpose(turn) if turn is not None else piece

    lower, upper = _in_parallel(
        lambda: band(middle, height, seam, float(image.height)),
        lambda: band(0, middle, 0.0, seam),
    )
    upright = Image.new(image.mode, _turned_size(size, turn), None)  # None: no fill
    upright.paste(upper, _turned_box((0, 0, width, middle), size, turn)[:2])
    upright.paste(lower, _turned_box((0, middle, width, height), size, turn)[:2])
    return upright


def _turned_size(size: tuple[int, int], turn: Image.Transpose | None) -> tuple[int, int]:
    return size[::-1] if turn in _QUARTER_TURNS else size


def _turned_box(
    box: tuple[int, int, int, int], size: tuple[int, int], turn: Image.Transpose | None
) -> tuple[int, int, int, int]:
    """Where a box of an image of this size lands once the image is transposed."""
    x0, y0, x1, y1 = box
    w, h = size
    T = Image.Transpose
    return {
        None: (x0, y0, x1, y1),
        T.FLIP_LEFT_RIGHT: (w - x1, y0, w - x0, y1),
        T.FLIP_TOP_BOTTOM: (x0, h - y1, x1, h - y0),
        T.ROTATE_180: (w - x1, h - y1, w - x0, h - y0),
        T.ROTATE_90: (y0, w - x1, y1, w - x0),  # anticlockwise: (x, y) -> (y, w - x)
        T.ROTATE_270: (h - y1, x0, h - y0, x1),  # clockwise: (x, y) -> (h - y, x)
        T.TRANSPOSE: (y0, x0, y1, x1),
        T.TRANSVERSE: (h - y1, w - x1, h - y0, w - x0),
    }[turn]


def _renditions(original: Image.Image) -> dict[str, Rendition]:
    """Make each smaller rendition here while a second thread encodes the ones made so far."""
    names = list(RENDITION_LONG_EDGES)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="images") as encoder:
        jobs = {names[0]: encoder.submit(_encode, names[0], original)}
        previous_name, previous = names[0], original
        for name in names[1:]:
            size = _fit(previous.size, RENDITION_LONG_EDGES[name])
            if size == previous.size:
                jobs[name] = jobs[previous_name]  # same size: same bytes
                continue
            # Box-average by the whole factor (2 x 2 for print), then Lanczos for the rest.
            previous_name = name
            previous = previous.resize(size, Image.Resampling.LANCZOS, reducing_gap=1.0)
            jobs[name] = encoder.submit(_encode, name, previous)
        return {name: replace(job.result(), name=name) for name, job in jobs.items()}


def _in_parallel[T](background: Callable[[], T], foreground: Callable[[], T]) -> tuple[T, T]:
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="images") as pool:
        job = pool.submit(background)
        here = foreground()
        return job.result(), here


def _encode(name: str, image: Image.Image) -> Rendition:
    """Encode pixels only: no EXIF, XMP, ICC profile, comment or text chunk is passed on."""
    buffer = io.BytesIO()
    if image.mode == "RGBa":
        image = image.convert("RGBA")
        image.info = {}
        image.save(buffer, "PNG", compress_level=PNG_COMPRESS_LEVEL)
        content_type, extension = "image/png", "png"
    else:
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False)
        content_type, extension = "image/jpeg", "jpg"
    return Rendition(
        name=name,
        content=buffer.getvalue(),
        width=image.width,
        height=image.height,
        content_type=content_type,
        extension=extension,
    )


def _fit(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    width, height = size
    scale = long_edge / max(width, height)
    if scale >= 1:
        return size
    return max(1, round(width * scale)), max(1, round(height * scale))


def _check_pixels(size: tuple[int, int]) -> None:
    if size[0] * size[1] > MAX_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels() -> ImageRejected:
    return ImageRejected(
        _("The image is too large: it must have at most %(megapixels)s million pixels.")
        % {"megapixels": MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def _corrupt() -> ImageRejected:
    return ImageRejected(
        _("The image is damaged or incomplete. Upload it again or choose another image."),
        code="corrupt",
    )


def _not_accepted(data: bytes) -> ImageRejected:
    kind = next((name for magic, name in _OTHER_IMAGES if data.startswith(magic)), None)
    if kind is None and data[4:8] == b"ftyp":
        kind = "HEIC" if data[8:12] in _HEIF_BRANDS else "AVIF" if data[8:12] == b"avif" else None
    if kind:
        return ImageRejected(
            _("The selected file is a %(kind)s image. It must be a JPEG, PNG or WebP image.")
            % {"kind": kind},
            code="unsupported_format",
        )
    return ImageRejected(
        _("The selected file must be a JPEG, PNG or WebP image."), code="not_an_image"
    )


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:g} MB" if megabytes == int(megabytes) else f"{megabytes:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _seekable(upload: IO[bytes]) -> bool:
    try:
        return bool(upload.seekable())
    except (AttributeError, ValueError, OSError):
        return hasattr(upload, "seek") and hasattr(upload, "tell")


def _rewind(upload: IO[bytes]) -> None:
    if _seekable(upload):
        upload.seek(0)
