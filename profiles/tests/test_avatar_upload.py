"""Avatar upload through updateProfile (GraphQL multipart request spec).

Good images become 256px and 64px square JPEGs without EXIF; anything else is a payload
error (or a clean HTTP error for a request that is too large) and never reaches storage.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from profiles.models import Profile
from profiles.tests.factories import make_member
from vouch.testing import client_for, data_of, gql, unauthenticated

pytestmark = pytest.mark.django_db

UPDATE_AVATAR = """
mutation($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    member { username avatarUrl avatarSmallUrl }
    errors { field message code }
  }
}
"""

GPS_IFD = 0x8825
MAKE = 0x010F


def _post_upload(client: Client, upload: SimpleUploadedFile, extra_input: dict | None = None):
    operations = {"query": UPDATE_AVATAR, "variables": {"input": {**(extra_input or {}), "avatar": None}}}
    return client.post(
        "/graphql/",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.input.avatar"]}), "0": upload},
    )


def upload_avatar(client: Client, upload: SimpleUploadedFile, extra_input: dict | None = None) -> dict:
    response = _post_upload(client, upload, extra_input)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def _image_bytes(fmt: str, size=(400, 300), mode="RGB", color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "SpyCam"
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    data = _image_bytes("JPEG", exif=exif.tobytes())
    # The fixture really carries the GPS position (otherwise the test below proves nothing).
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    return data


def _png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header claims width x height pixels."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _assert_refused(body: dict, code: str, user) -> None:
    payload = data_of(body)["updateProfile"]
    assert payload["member"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("avatar", code)]
    assert payload["errors"][0]["message"]
    profile = Profile.objects.get(user=user)
    assert not profile.avatar and not profile.avatar_small
    assert _media_files() == []


@pytest.mark.parametrize(
    ("fmt", "mode", "name", "content_type"),
    [
        ("PNG", "RGBA", "me.png", "image/png"),
        ("PNG", "P", "palette.png", "image/png"),
        ("JPEG", "RGB", "me.jpg", "image/jpeg"),
        ("JPEG", "CMYK", "print.jpg", "image/jpeg"),
        ("WEBP", "RGB", "me.webp", "image/webp"),
        ("PNG", "I;16", "deep.png", "image/png"),
        ("PNG", "1", "bits.png", "image/png"),
        ("PNG", "LA", "grey-alpha.png", "image/png"),
    ],
)
def test_supported_image_is_stored_as_square_jpeg_thumbnails(fmt, mode, name, content_type):
    ana = make_member("ana")
    color = {"RGBA": (10, 200, 10, 128), "CMYK": (0, 50, 50, 0), "LA": (100, 128)}.get(
        mode, 1 if mode in ("1", "P") else 3000 if mode == "I;16" else (10, 20, 200)
    )
    data = _image_bytes(fmt, size=(500, 320), mode=mode, color=color)
    body = upload_avatar(client_for(ana), SimpleUploadedFile(name, data, content_type=content_type))
    payload = data_of(body)["updateProfile"]
    assert payload["errors"] == []
    assert payload["member"]["avatarUrl"].startswith("http://testserver/media/avatars/")
    assert payload["member"]["avatarSmallUrl"].endswith("-64.jpg")
    profile = Profile.objects.get(user=ana)
    with profile.avatar.open("rb") as f:
        large = Image.open(io.BytesIO(f.read()))
    with profile.avatar_small.open("rb") as f:
        small = Image.open(io.BytesIO(f.read()))
    assert (large.format, large.size, large.mode) == ("JPEG", (256, 256), "RGB")
    assert (small.format, small.size) == ("JPEG", (64, 64))
    # Only the two thumbnails were stored, never the original.
    assert len(_media_files()) == 2


def test_exif_gps_position_is_stripped():
    ana = make_member("ana")
    data_of(upload_avatar(client_for(ana), SimpleUploadedFile("holiday.jpg", _jpeg_with_gps(), "image/jpeg")))
    for path in _media_files():
        raw = path.read_bytes()
        image = Image.open(io.BytesIO(raw))
        assert not image.getexif(), path
        assert "exif" not in image.info
        assert b"SpyCam" not in raw
    assert len(_media_files()) == 2


def test_exif_orientation_is_applied_before_cropping():
    # A 200x100 image whose left half is black, tagged "rotate 90° CW to display" (orientation 6).
    ana = make_member("ana")
    image = Image.new("RGB", (200, 100), (255, 255, 255))
    image.paste((0, 0, 0), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    data_of(upload_avatar(client_for(ana), SimpleUploadedFile("rotated.jpg", out.getvalue(), "image/jpeg")))
    with Profile.objects.get(user=ana).avatar.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read())).convert("L")
    # After rotation the black half is on top: the top row is dark, the bottom row light.
    assert stored.getpixel((128, 5)) < 60
    assert stored.getpixel((128, 250)) > 200


def test_a_new_avatar_replaces_and_deletes_the_old_files(django_capture_on_commit_callbacks):
    ana = make_member("ana")
    client = client_for(ana)
    with django_capture_on_commit_callbacks(execute=True):
        data_of(upload_avatar(client, SimpleUploadedFile("a.png", _image_bytes("PNG"), "image/png")))
    first = _media_files()
    with django_capture_on_commit_callbacks(execute=True):
        data_of(upload_avatar(client, SimpleUploadedFile("b.png", _image_bytes("PNG", color=(0, 0, 0)), "image/png")))
    second = _media_files()
    assert len(first) == len(second) == 2
    assert not set(first) & set(second)


def test_remove_avatar_clears_it(django_capture_on_commit_callbacks):
    ana = make_member("ana")
    client = client_for(ana)
    with django_capture_on_commit_callbacks(execute=True):
        data_of(upload_avatar(client, SimpleUploadedFile("a.png", _image_bytes("PNG"), "image/png")))
    with django_capture_on_commit_callbacks(execute=True):
        payload = data_of(gql(client, UPDATE_AVATAR, {"input": {"removeAvatar": True}}))["updateProfile"]
    assert payload["member"]["avatarUrl"] is None
    assert _media_files() == []


def test_decompression_bomb_is_refused():
    ana = make_member("ana")
    bomb = _png_declaring(30000, 30000)
    assert len(bomb) < 2000
    body = upload_avatar(client_for(ana), SimpleUploadedFile("bomb.png", bomb, "image/png"))
    _assert_refused(body, "IMAGE_TOO_LARGE", ana)


@pytest.mark.parametrize(("width", "height"), [(10000, 5000), (12001, 10), (10, 12001)])
def test_image_with_too_many_pixels_below_pillows_own_limit_is_refused(width, height):
    ana = make_member("ana")
    body = upload_avatar(client_for(ana), SimpleUploadedFile("big.png", _png_declaring(width, height), "image/png"))
    _assert_refused(body, "IMAGE_TOO_LARGE", ana)


def test_text_file_renamed_png_is_refused():
    ana = make_member("ana")
    body = upload_avatar(client_for(ana), SimpleUploadedFile("notes.png", b"just some text\n" * 50, "image/png"))
    _assert_refused(body, "INVALID_IMAGE", ana)


def test_truncated_png_is_refused():
    ana = make_member("ana")
    data = _image_bytes("PNG", size=(300, 300))
    body = upload_avatar(client_for(ana), SimpleUploadedFile("cut.png", data[: len(data) // 2], "image/png"))
    _assert_refused(body, "INVALID_IMAGE", ana)


def test_png_header_with_garbage_pixels_is_refused():
    ana = make_member("ana")
    body = upload_avatar(client_for(ana), SimpleUploadedFile("bad.png", _png_declaring(64, 64)[:-12], "image/png"))
    _assert_refused(body, "INVALID_IMAGE", ana)


@pytest.mark.parametrize(("fmt", "name"), [("GIF", "anim.gif"), ("BMP", "old.bmp"), ("TIFF", "scan.tiff")])
def test_unsupported_image_formats_are_refused(fmt, name):
    ana = make_member("ana")
    body = upload_avatar(client_for(ana), SimpleUploadedFile(name, _image_bytes(fmt), "image/png"))
    _assert_refused(body, "UNSUPPORTED_IMAGE_TYPE", ana)


def test_svg_is_refused():
    ana = make_member("ana")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
    body = upload_avatar(client_for(ana), SimpleUploadedFile("x.png", svg, "image/svg+xml"))
    _assert_refused(body, "INVALID_IMAGE", ana)


def test_empty_file_is_refused():
    ana = make_member("ana")
    body = upload_avatar(client_for(ana), SimpleUploadedFile("empty.png", b"", "image/png"))
    _assert_refused(body, "INVALID_IMAGE", ana)


def test_file_over_the_avatar_limit_is_refused_before_decoding(settings):
    ana = make_member("ana")
    data = _image_bytes("PNG")
    padded = data + b"\x00" * (settings.AVATAR_MAX_BYTES + 1 - len(data))
    body = upload_avatar(client_for(ana), SimpleUploadedFile("huge.png", padded, "image/png"))
    _assert_refused(body, "FILE_TOO_LARGE", ana)


def test_a_30_mb_upload_is_refused_cleanly():
    ana = make_member("ana")
    data = _image_bytes("PNG")
    huge = data + b"\x00" * (30 * 1024 * 1024 - len(data))
    response = _post_upload(client_for(ana), SimpleUploadedFile("huge.png", huge, "image/png"))
    assert response.status_code == 413
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert "MB" in body["errors"][0]["message"]
    assert not Profile.objects.get(user=ana).avatar
    assert _media_files() == []


def test_refused_avatar_writes_none_of_the_other_changes():
    ana = make_member("ana", display_name="Ana")
    body = upload_avatar(
        client_for(ana), SimpleUploadedFile("x.gif", _image_bytes("GIF"), "image/gif"), {"displayName": "Changed"}
    )
    _assert_refused(body, "UNSUPPORTED_IMAGE_TYPE", ana)
    assert Profile.objects.get(user=ana).display_name == "Ana"


def test_anonymous_upload_is_unauthenticated_and_stores_nothing():
    response = _post_upload(Client(), SimpleUploadedFile("a.png", _image_bytes("PNG"), "image/png"))
    assert response.status_code == 200
    assert unauthenticated(response.json())
    assert _media_files() == []


def test_avatar_that_is_not_a_file_is_an_error_not_a_500():
    # A JSON client can put any value in an Upload variable.
    ana = make_member("ana")
    body = gql(client_for(ana), UPDATE_AVATAR, {"input": {"avatar": "data:image/png;base64,AAAA"}})
    _assert_refused(body, "INVALID_IMAGE", ana)


@pytest.mark.parametrize(
    ("operations", "files_map"),
    [
        ("{not json", '{"0": ["variables.input.avatar"]}'),
        (None, "{not json"),
        (None, '{"7": ["variables.input.avatar"]}'),  # no file part "7"
        (None, '{"0": ["variables.nowhere.avatar"]}'),
        (None, '{"0": ["variables.input.displayName"]}'),  # not a null placeholder
        (None, '["variables.input.avatar"]'),
        ('["x"]', '{"0": ["0.variables"]}'),
    ],
)
def test_malformed_multipart_request_is_a_400_not_a_500(operations, files_map):
    ana = make_member("ana")
    if operations is None:
        operations = json.dumps({"query": UPDATE_AVATAR, "variables": {"input": {"displayName": "x", "avatar": None}}})
    response = client_for(ana).post(
        "/graphql/",
        data={"operations": operations, "map": files_map, "0": SimpleUploadedFile("a.png", _image_bytes("PNG"))},
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json()["errors"][0]["message"]
    assert _media_files() == []


def test_a_6300_square_png_is_refused_before_decoding():
    # 6300 x 6300 (39.7 M pixels) passed the old 40 M limit and cost ~170 MB while decoding. PNG and WebP decode at
    # full size, so their limit is AVATAR_MAX_DECODED_PIXELS; the header alone is read.
    ana = make_member("ana")
    body = upload_avatar(client_for(ana), SimpleUploadedFile("big.png", _png_declaring(6300, 6300), "image/png"))
    _assert_refused(body, "IMAGE_TOO_LARGE", ana)


def test_a_6300_square_jpeg_is_decoded_at_a_fraction_of_its_size(monkeypatch, django_capture_on_commit_callbacks):
    # JPEG is decoded scaled down (Pillow's draft: libjpeg's DCT scaling), so a large photo is accepted and never
    # held in memory at full size. The spy records the size of every image whose pixels were actually decoded.
    from PIL import ImageFile

    big = io.BytesIO()
    Image.new("L", (6300, 6300), 128).save(big, format="JPEG", quality=50)
    decoded: list[tuple[int, int]] = []
    real_load = ImageFile.ImageFile.load

    def spy(self):
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    ana = make_member("ana")
    with django_capture_on_commit_callbacks(execute=True):
        body = upload_avatar(client_for(ana), SimpleUploadedFile("big.jpg", big.getvalue(), "image/jpeg"))
    assert data_of(body)["updateProfile"]["errors"] == []
    assert decoded and max(w * h for w, h in decoded) <= 1024 * 1024, decoded
