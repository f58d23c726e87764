"""Decide what an uploaded file really is, and re-encode images so only pixels survive.

Pillow opens the bytes with an allow-list of decoders, so a renamed HTML file, an SVG,
a TIFF or a polyglot never reaches a browser as an image. Re-encoding drops EXIF/XMP
and anything appended after the image data.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
THUMBNAIL_SIZE = (320, 320)
# Output format per input: GIFs become PNG (first frame) so no animation decoder is ever served.
OUTPUT = {
    "PNG": ("PNG", "image/png"),
    "JPEG": ("JPEG", "image/jpeg"),
    "WEBP": ("WEBP", "image/webp"),
    "GIF": ("PNG", "image/png"),
}


class ImageRejected(ValueError):
    """The bytes are not an image we accept; the message says why, for the form."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    thumbnail: bytes
    content_type: str
    extension: str
    width: int
    height: int


def clean_image(raw: bytes, max_pixels: int) -> CleanImage:
    """Re-encoded image and thumbnail, or ImageRejected."""
    image = _open(raw, max_pixels)
    fmt, content_type = OUTPUT[image.format]
    image = ImageOps.exif_transpose(image)  # keep the orientation the EXIF asked for, then drop EXIF
    image = _normalise_mode(image, fmt)
    data = _encode(image, fmt)
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    return CleanImage(
        data=data,
        thumbnail=_encode(thumb, fmt),
        content_type=content_type,
        extension=fmt.lower().replace("jpeg", "jpg"),
        width=image.width,
        height=image.height,
    )


def _open(raw: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw), formats=ALLOWED_FORMATS)
            if image.width * image.height > max_pixels:
                raise ImageRejected(f"the image is larger than {max_pixels // 1_000_000} megapixels")
            image.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(f"the image is larger than {max_pixels // 1_000_000} megapixels") from None
    except UnidentifiedImageError:
        raise ImageRejected("it is not a PNG, JPEG, WebP or GIF image") from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRejected("the image is damaged and cannot be read") from None
    return image


def _normalise_mode(image: Image.Image, fmt: str) -> Image.Image:
    if fmt == "JPEG":
        return image.convert("RGB")
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        return image.convert("RGBA")
    return image


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    options = {"quality": 88} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    image.save(out, format=fmt, **options)
    return out.getvalue()
