"""core.images: every uploaded photo is verified, oriented, stripped and re-encoded.

Every test file is generated here with Pillow; nothing binary is committed.
"""

import hashlib
import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from PIL import ExifTags, Image, ImageChops, ImageCms, ImageOps, ImageStat, PngImagePlugin

from core import images
from core.images import ImageRejected, UploadRejected, process_image

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)
SECRETS = (b"SecretCam", b"secret-comment", b"secret-xmp", b"secret-png-text", b"secret-ztxt")


# Builders


def exif_with_gps(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "SecretCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (54.0, 54.0, 25.2)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (1.0, 22.0, 55.1)
    return exif


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def quadrants(size: tuple[int, int]) -> Image.Image:
    """Red, green / blue, white quadrants: any turn or flip shows."""
    width, height = size
    image = Image.new("RGB", size, WHITE)
    image.paste(RED, (0, 0, width // 2, height // 2))
    image.paste(GREEN, (width // 2, 0, width, height // 2))
    image.paste(BLUE, (0, height // 2, width // 2, height))
    return image


def gradients(size: tuple[int, int]) -> Image.Image:
    """Red grows left to right, green top to bottom: a misplaced band shows."""
    red = Image.linear_gradient("L").rotate(90)
    green = Image.linear_gradient("L")
    return Image.merge("RGB", (red.resize(size), green.resize(size), Image.new("L", size, 64)))


def png_claiming(width: int, height: int) -> bytes:
    """A real 8 x 8 PNG whose IHDR (with a correct CRC) claims width x height pixels."""
    data = bytearray(encode(Image.new("L", (8, 8)), "PNG"))
    assert data[12:16] == b"IHDR"
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def jpeg_claiming(width: int, height: int) -> bytes:
    data = bytearray(encode(Image.new("RGB", (16, 16)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def swapped_profile() -> bytes:
    """An RGB ICC profile that is not sRGB: sRGB with its red and green primaries swapped."""
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    (count,) = struct.unpack_from(">I", icc, 128)
    entries = {bytes(icc[132 + 12 * i : 136 + 12 * i]): 132 + 12 * i for i in range(count)}
    red, green = entries[b"rXYZ"], entries[b"gXYZ"]
    icc[red + 4 : red + 12], icc[green + 4 : green + 12] = (
        icc[green + 4 : green + 12],
        icc[red + 4 : red + 12],
    )
    return bytes(icc).replace("sRGB".encode("utf-16-be"), "Swap".encode("utf-16-be"))


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes handed out; optionally not seekable."""

    def __init__(self, data: bytes, *, seekable: bool = True) -> None:
        self._buffer = io.BytesIO(data)
        self._seekable = seekable
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._seekable

    def readinto(self, buffer) -> int:
        count = self._buffer.readinto(buffer)
        self.bytes_read += count
        return count

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("seek")
        return self._buffer.seek(offset, whence)

    def tell(self) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("tell")
        return self._buffer.tell()


def opened(rendition: images.Rendition) -> Image.Image:
    image = Image.open(io.BytesIO(rendition.content))
    image.load()
    return image


def colour_at(image: Image.Image, x: float, y: float) -> tuple[int, ...]:
    """The colour at a relative position (0-1) of the image, as RGB or RGBA."""
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGB")
    return image.getpixel((int(x * (image.width - 1)), int(y * (image.height - 1))))


def close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def assert_clean(rendition: images.Rendition) -> None:
    """No EXIF, GPS, XMP, ICC, comment or PNG text in an encoded rendition."""
    image = opened(rendition)
    assert len(image.getexif()) == 0
    assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "Comment"):
        assert key not in image.info
    if image.format == "PNG":
        assert image.text == {}
        for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP"):
            assert chunk not in rendition.content
    for marker in (b"Exif\x00\x00", b"ICC_PROFILE", b"http://ns.adobe.com/xap", *SECRETS):
        assert marker not in rendition.content


# Accepted formats and renditions


@pytest.mark.parametrize(
    ("fmt", "params"),
    [
        ("JPEG", {"quality": 95}),
        ("PNG", {}),
        ("WEBP", {"quality": 95}),
        ("WEBP", {"lossless": True}),
    ],
)
def test_jpeg_png_and_webp_are_accepted_and_come_out_as_jpeg(fmt, params):
    upload = encode(quadrants((400, 300)), fmt, **params)

    result = process_image(io.BytesIO(upload))

    assert result.source_format == fmt
    assert list(result.renditions) == ["original", "print", "display", "thumbnail"]
    for name, rendition in result.renditions.items():
        image = opened(rendition)
        assert rendition.name == name
        assert (image.format, image.mode) == ("JPEG", "RGB")
        assert (rendition.content_type, rendition.extension) == ("image/jpeg", "jpg")
        assert (rendition.width, rendition.height) == image.size
    assert close(colour_at(opened(result.renditions["display"]), 0.25, 0.25), RED)
    assert result.sha256 == hashlib.sha256(result.renditions["original"].content).hexdigest()


def test_renditions_are_capped_by_their_long_edge():
    upload = encode(gradients((3600, 2000)), "JPEG")

    renditions = process_image(io.BytesIO(upload)).renditions

    sizes = {name: (r.width, r.height) for name, r in renditions.items()}
    assert sizes == {
        "original": (3200, 1778),
        "print": (1600, 889),
        "display": (1024, 569),
        "thumbnail": (320, 178),
    }
    assert all(opened(r).size == sizes[name] for name, r in renditions.items())


def test_a_portrait_image_is_capped_by_its_height():
    upload = encode(gradients((1200, 1800)), "PNG")

    renditions = process_image(io.BytesIO(upload)).renditions

    assert (renditions["original"].width, renditions["original"].height) == (1200, 1800)
    assert (renditions["print"].width, renditions["print"].height) == (1067, 1600)
    assert (renditions["thumbnail"].width, renditions["thumbnail"].height) == (213, 320)


def test_small_images_are_never_upscaled():
    upload = encode(quadrants((300, 200)), "PNG")

    renditions = process_image(io.BytesIO(upload)).renditions

    assert {(r.width, r.height) for r in renditions.values()} == {(300, 200)}
    assert all(opened(r).size == (300, 200) for r in renditions.values())
    # Same size, same bytes: nothing is encoded twice.
    assert len({r.content for r in renditions.values()}) == 1


def test_a_large_jpeg_is_decoded_at_reduced_scale_to_exactly_the_cap():
    upload = encode(gradients((6400, 4800)), "JPEG", quality=70)

    original = process_image(io.BytesIO(upload)).renditions["original"]

    assert (original.width, original.height) == (3200, 2400)
    assert close(colour_at(opened(original), 0.99, 0.99), (255, 255, 64), tolerance=12)


def test_the_stored_original_is_a_re_encoding_not_the_upload():
    upload = encode(quadrants((400, 300)), "JPEG", quality=100)

    result = process_image(io.BytesIO(upload))

    assert result.renditions["original"].content != upload
    assert result.sha256 != hashlib.sha256(upload).hexdigest()


# Metadata


def test_exif_gps_xmp_comment_and_icc_are_stripped_from_every_jpeg_rendition():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = encode(
        gradients((2000, 1500)),
        "JPEG",
        exif=exif_with_gps(orientation=1),
        comment=b"secret-comment",
        xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>secret-xmp</x:xmpmeta>",
        icc_profile=srgb,
    )
    source = Image.open(io.BytesIO(upload))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert {"exif", "comment", "xmp", "icc_profile"} <= set(source.info)

    renditions = process_image(io.BytesIO(upload)).renditions

    assert len({(r.width, r.height) for r in renditions.values()}) == 4
    for rendition in renditions.values():
        assert_clean(rendition)


def test_png_text_chunks_and_exif_are_stripped():
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "secret-png-text")
    text.add_text("Software", "secret-ztxt", zip=True)
    text.add_itxt("Description", "secret-png-text", lang="en")
    upload = encode(gradients((500, 400)), "PNG", pnginfo=text, exif=exif_with_gps())
    assert Image.open(io.BytesIO(upload)).text["Comment"] == "secret-png-text"

    for rendition in process_image(io.BytesIO(upload)).renditions.values():
        assert_clean(rendition)


def test_webp_exif_xmp_and_icc_are_stripped():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = encode(
        gradients((500, 400)),
        "WEBP",
        exif=exif_with_gps(orientation=1),
        xmp=b"<x:xmpmeta>secret-xmp</x:xmpmeta>",
        icc_profile=srgb,
    )
    assert "exif" in Image.open(io.BytesIO(upload)).info

    for rendition in process_image(io.BytesIO(upload)).renditions.values():
        assert_clean(rendition)


def test_transparent_png_stays_png_with_its_alpha_and_without_text():
    image = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    image.paste((0, 0, 255, 255), (300, 0, 600, 400))
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "secret-png-text")
    upload = encode(image, "PNG", pnginfo=text, exif=exif_with_gps())

    renditions = process_image(io.BytesIO(upload)).renditions

    for rendition in renditions.values():
        output = opened(rendition)
        assert (output.format, output.mode) == ("PNG", "RGBA")
        assert (rendition.content_type, rendition.extension) == ("image/png", "png")
        assert colour_at(output, 0.1, 0.5)[3] == 0
        assert colour_at(output, 0.9, 0.5) == (0, 0, 255, 255)
        assert_clean(rendition)


def test_an_rgba_png_that_is_fully_opaque_becomes_jpeg():
    upload = encode(quadrants((300, 200)).convert("RGBA"), "PNG")

    renditions = process_image(io.BytesIO(upload)).renditions

    assert {r.content_type for r in renditions.values()} == {"image/jpeg"}


@pytest.mark.parametrize("mode", ["1", "L", "P", "I;16", "LA", "RGB"])
def test_other_pixel_modes_become_rgb_jpeg(mode):
    upload = encode(gradients((64, 48)).convert(mode), "PNG")

    thumbnail = opened(process_image(io.BytesIO(upload)).renditions["thumbnail"])

    assert (thumbnail.format, thumbnail.mode, thumbnail.size) == ("JPEG", "RGB", (64, 48))


def test_a_16_bit_png_keeps_its_brightness():
    bright = Image.new("I;16", (32, 32), 60000)

    thumbnail = opened(process_image(io.BytesIO(encode(bright, "PNG"))).renditions["thumbnail"])

    assert close(colour_at(thumbnail, 0.5, 0.5), (233, 233, 233), tolerance=4)


def test_a_cmyk_jpeg_becomes_rgb():
    upload = encode(Image.new("CMYK", (64, 64), (0, 255, 255, 0)), "JPEG")

    display = opened(process_image(io.BytesIO(upload)).renditions["display"])

    assert display.mode == "RGB"
    assert close(colour_at(display, 0.5, 0.5), RED)


def test_a_non_srgb_profile_is_converted_to_srgb_then_dropped():
    red = Image.new("RGB", (64, 64), RED)
    tagged = encode(red, "PNG", icc_profile=swapped_profile())
    control = encode(red, "PNG", icc_profile=ImageCms.ImageCmsProfile(images._SRGB).tobytes())

    converted = process_image(io.BytesIO(tagged)).renditions["display"]
    untouched = process_image(io.BytesIO(control)).renditions["display"]

    # "Red" in the swapped profile is sRGB green.
    assert close(colour_at(opened(converted), 0.5, 0.5), GREEN, tolerance=60)
    assert close(colour_at(opened(untouched), 0.5, 0.5), RED)
    assert "icc_profile" not in opened(converted).info


def test_an_unusable_icc_profile_is_dropped():
    upload = encode(Image.new("RGB", (64, 64), RED), "JPEG", icc_profile=b"not a profile" * 20)

    display = process_image(io.BytesIO(upload)).renditions["display"]

    assert "icc_profile" not in opened(display).info
    assert close(colour_at(opened(display), 0.5, 0.5), RED)


def test_animated_png_and_webp_keep_their_first_frame():
    frames = [Image.new("RGB", (64, 64), RED), Image.new("RGB", (64, 64), BLUE)]
    for fmt in ("PNG", "WEBP"):
        upload = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100)
        assert getattr(Image.open(io.BytesIO(upload)), "n_frames", 1) == 2

        display = opened(process_image(io.BytesIO(upload)).renditions["display"])

        assert close(colour_at(display, 0.5, 0.5), RED)


def test_mpo_from_a_phone_counts_as_jpeg():
    frames = [quadrants((200, 100)), Image.new("RGB", (200, 100), BLUE)]
    upload = encode(frames[0], "MPO", save_all=True, append_images=frames[1:])
    assert Image.open(io.BytesIO(upload)).format == "MPO"

    result = process_image(io.BytesIO(upload))

    assert result.source_format == "JPEG"
    assert close(colour_at(opened(result.renditions["display"]), 0.25, 0.25), RED)


# Orientation


def test_orientation_6_turns_a_landscape_image_into_portrait():
    stored = Image.new("RGB", (200, 100), WHITE)
    stored.paste(RED, (0, 0, 40, 40))  # marker in the stored top-left corner
    upload = encode(stored, "JPEG", quality=95, exif=exif_with_gps(orientation=6))

    renditions = process_image(io.BytesIO(upload)).renditions

    display = opened(renditions["display"])
    assert display.size == (100, 200)
    assert (renditions["display"].width, renditions["display"].height) == (100, 200)
    # Orientation 6 means "turn 90 degrees clockwise to view": the marker ends top right.
    assert close(display.getpixel((90, 10)), RED)
    assert close(display.getpixel((10, 10)), WHITE)
    assert close(display.getpixel((90, 190)), WHITE)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_matches_pillows_exif_transpose(orientation):
    upload = encode(quadrants((200, 100)), "JPEG", quality=95, exif=exif_with_gps(orientation))
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(upload)))

    display = opened(process_image(io.BytesIO(upload)).renditions["display"])

    assert display.size == expected.size
    for x, y in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)]:
        assert close(colour_at(display, x, y), colour_at(expected, x, y))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_large_images_resized_in_bands_match_a_single_resize(orientation):
    # 4000 x 2000 -> 3200 x 1600: over the threshold, so resized in two bands on two threads.
    upload = encode(gradients((4000, 2000)), "JPEG", quality=95, exif=exif_with_gps(orientation))
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(upload)))

    original = process_image(io.BytesIO(upload)).renditions["original"]

    output = opened(original)
    expected = upright.resize(output.size, images.FIRST_RESAMPLE)
    assert max(output.size) == 3200
    assert output.size == ((3200, 1600) if orientation <= 4 else (1600, 3200))
    difference = ImageStat.Stat(ImageChops.difference(output, expected))
    assert max(difference.mean) < 2
    assert max(high for _, high in difference.extrema) < 24


def test_nonsense_orientation_is_ignored():
    upload = encode(quadrants((200, 100)), "JPEG", exif=exif_with_gps(orientation=42))

    display = process_image(io.BytesIO(upload)).renditions["display"]

    assert (display.width, display.height) == (200, 100)


# Refusals: bombs


@pytest.mark.parametrize(
    "upload",
    [
        png_claiming(10_000, 5_001),  # just over MAX_PIXELS
        png_claiming(10_000, 10_000),  # Pillow would only warn
        png_claiming(30_000, 30_000),  # Pillow refuses
        png_claiming(2**31 - 1, 2**31 - 1),
        jpeg_claiming(65_000, 65_000),
    ],
)
def test_decompression_bombs_are_refused_from_the_header(upload, monkeypatch, recwarn):
    def no_decoding(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", no_decoding)

    with pytest.raises(ImageRejected) as rejected:
        process_image(io.BytesIO(upload))

    assert rejected.value.code == "too_many_pixels"
    assert "50 million pixels" in rejected.value.message
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


def test_the_pixel_limit_is_the_module_constant(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 19_999)

    with pytest.raises(ImageRejected) as rejected:
        process_image(io.BytesIO(encode(quadrants((200, 100)), "PNG")))

    assert rejected.value.code == "too_many_pixels"


def test_an_image_at_the_pixel_limit_is_accepted(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 20_000)

    assert process_image(io.BytesIO(encode(quadrants((200, 100)), "PNG")))


# Refusals: not an image


def valid_jpeg() -> bytes:
    return encode(gradients((320, 240)), "JPEG", quality=90)


@pytest.mark.parametrize(
    "content",
    [
        b"Just some text, renamed to photo.jpg\n",
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        b"\xff\xd8\xff\xe0 but not really a JPEG",
        b"PK\x03\x04not an image",
    ],
    ids=["text", "html", "svg", "pdf", "jpeg-magic-only", "zip"],
)
def test_files_that_are_not_images_are_refused(content):
    upload = SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")

    with pytest.raises(ImageRejected) as rejected:
        process_image(upload)

    assert rejected.value.code in {"not_an_image", "corrupt"}
    assert "JPEG, PNG or WebP" in rejected.value.message or rejected.value.code == "corrupt"


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (encode(quadrants((20, 20)), "GIF"), "GIF"),
        (encode(quadrants((20, 20)), "GIF") + b"<script>alert(1)</script>", "GIF"),
        (encode(quadrants((20, 20)), "BMP"), "BMP"),
        (encode(quadrants((20, 20)), "TIFF"), "TIFF"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64), "HEIC"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1" + bytes(64), "AVIF"),
    ],
    ids=["gif", "gif-polyglot", "bmp", "tiff", "heic", "avif"],
)
def test_other_image_formats_are_refused_by_name(content, named):
    with pytest.raises(ImageRejected) as rejected:
        process_image(SimpleUploadedFile("photo.png", content, content_type="image/png"))

    assert rejected.value.code == "unsupported_format"
    assert named in rejected.value.message
    assert "JPEG, PNG or WebP" in rejected.value.message


def test_an_empty_file_is_refused():
    with pytest.raises(ImageRejected) as rejected:
        process_image(io.BytesIO(b""))

    assert rejected.value.code == "not_an_image"
    assert "empty" in rejected.value.message


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_a_truncated_jpeg_is_refused(keep):
    upload = valid_jpeg()

    with pytest.raises(ImageRejected) as rejected:
        process_image(io.BytesIO(upload[: int(len(upload) * keep)]))

    assert rejected.value.code == "corrupt"


def test_a_png_with_a_broken_checksum_is_refused():
    upload = bytearray(encode(gradients((64, 48)), "PNG"))
    idat = upload.index(b"IDAT")
    upload[idat + 10] ^= 0xFF

    with pytest.raises(ImageRejected) as rejected:
        process_image(io.BytesIO(bytes(upload)))

    assert rejected.value.code == "corrupt"


def test_a_jpeg_with_an_html_payload_comes_out_clean():
    payload = b"<html><script>alert(document.cookie)</script></html>"
    upload = valid_jpeg() + payload
    commented = encode(gradients((320, 240)), "JPEG", comment=payload)

    for content in (upload, commented):
        result = process_image(io.BytesIO(content))

        assert result.source_format == "JPEG"
        for rendition in result.renditions.values():
            assert b"<script" not in rendition.content
            assert opened(rendition).format == "JPEG"


# Refusals: size


def test_a_file_over_the_limit_is_refused_before_reading_it():
    content = valid_jpeg()
    reader = CountingReader(content)

    with pytest.raises(ImageRejected) as rejected:
        process_image(reader, max_bytes=len(content) - 1)

    assert rejected.value.code == "too_large"
    assert reader.bytes_read == 0
    assert reader.tell() == 0


def test_an_uploaded_file_over_the_limit_is_refused_by_its_size():
    content = valid_jpeg()
    reader = CountingReader(content)
    upload = InMemoryUploadedFile(reader, "image", "photo.jpg", "image/jpeg", len(content), None)

    with pytest.raises(ImageRejected) as rejected:
        process_image(upload, max_bytes=1000)

    assert rejected.value.code == "too_large"
    assert reader.bytes_read == 0


def test_a_stream_without_a_size_is_read_no_further_than_the_limit():
    reader = CountingReader(valid_jpeg() * 3, seekable=False)

    with pytest.raises(ImageRejected) as rejected:
        process_image(reader, max_bytes=1000)

    assert rejected.value.code == "too_large"
    assert reader.bytes_read == 1001


def test_a_size_that_lies_does_not_get_past_the_limit():
    content = valid_jpeg()
    reader = CountingReader(content)
    upload = InMemoryUploadedFile(reader, "image", "photo.jpg", "image/jpeg", 10, None)

    with pytest.raises(ImageRejected) as rejected:
        process_image(upload, max_bytes=1000)

    assert rejected.value.code == "too_large"
    assert reader.bytes_read <= 1001


def test_the_limit_is_inclusive():
    content = valid_jpeg()

    assert process_image(io.BytesIO(content), max_bytes=len(content))
    with pytest.raises(ImageRejected):
        process_image(io.BytesIO(content), max_bytes=len(content) - 1)


def test_the_default_limit_is_max_upload_bytes(settings):
    content = valid_jpeg()
    settings.MAX_UPLOAD_BYTES = len(content) - 1

    with pytest.raises(ImageRejected) as rejected:
        process_image(io.BytesIO(content))

    assert rejected.value.code == "too_large"
    assert "smaller than" in rejected.value.message


def test_the_message_states_the_limit_in_megabytes():
    with pytest.raises(ImageRejected) as rejected:
        process_image(CountingReader(bytes(16 * 1024 * 1024)), max_bytes=15 * 1024 * 1024)

    assert rejected.value.message == "The selected file must be smaller than 15 MB."


# The upload itself


def test_the_upload_is_rewound_and_read_in_full_once():
    content = valid_jpeg()
    reader = CountingReader(content)

    process_image(reader)

    assert reader.bytes_read == len(content)
    assert reader.tell() == 0


def test_a_django_uploaded_file_is_accepted_whatever_its_name_says():
    upload = SimpleUploadedFile("notes.txt", valid_jpeg(), content_type="text/plain")

    assert process_image(upload).source_format == "JPEG"


def test_image_rejected_is_a_value_error_with_message_and_code():
    with pytest.raises(ValueError, match="JPEG, PNG or WebP") as rejected:
        process_image(io.BytesIO(b"hello"))

    assert isinstance(rejected.value, UploadRejected)
    assert rejected.value.code == "not_an_image"
    assert str(rejected.value) == rejected.value.message
