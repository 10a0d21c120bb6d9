"""analyse(): real videos in, info and a JPEG cover out; everything else refused, clearly."""

from __future__ import annotations

import random
from fractions import Fraction
from io import BytesIO
from pathlib import Path

import av
import pytest

from services.mesh.errors import AppError, Code
from services.publish.media import VideoInfo, analyse
from services.publish.samples import write_sample_video, write_video_of_size
from stack.bootstrap import gradient_png

PREFIX = "the uploaded file is not a video ("


def _has_encoder(name: str) -> bool:
    try:
        av.Codec(name, "w")
    except av.FFmpegError:
        return False
    return True


def _decode_jpeg(data: bytes) -> tuple[int, int]:
    """(width, height) of the JPEG `data`, decoded again by FFmpeg."""
    with av.open(BytesIO(data)) as image:
        frame = next(image.decode(video=0))
        assert image.streams.video[0].codec_context.name == "mjpeg"
        return frame.width, frame.height


def _rejection(path: Path) -> AppError:
    with pytest.raises(AppError) as caught:
        analyse(path)
    error = caught.value
    assert error.code is Code.INVALID_ARGUMENT
    assert error.message.startswith(PREFIX), error.message
    # FFmpeg's own words (paths, errno, demuxer names) are for the log only
    for leak in (str(path.parent), "Errno", "ffmpeg", "Invalid data"):
        assert leak not in error.message
    return error


def _aac_file(path: Path, container: str | None = None) -> Path:
    """One second of silence in AAC (stereo, 44.1 kHz), no video."""
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream("aac", rate=44100)
        for index in range(44):
            frame = av.AudioFrame(format="fltp", layout="stereo", samples=1024)
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
            frame.sample_rate = 44100
            frame.pts, frame.time_base = index * 1024, Fraction(1, 44100)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


@pytest.mark.parametrize(
    ("codec", "suffix", "muxer", "container", "extension", "content_type", "decoded"),
    [
        ("libx264", ".mp4", None, "mp4", ".mp4", "video/mp4", "h264"),
        ("libx264", ".mov", None, "mov", ".mov", "video/quicktime", "h264"),
        ("libvpx-vp9", ".webm", None, "webm", ".webm", "video/webm", "vp9"),
        ("libvpx", ".webm", None, "webm", ".webm", "video/webm", "vp8"),
        ("libx264", ".mkv", None, "matroska", ".mkv", "video/x-matroska", "h264"),
        ("mpeg4", ".avi", None, "avi", ".avi", "video/x-msvideo", "mpeg4"),
        ("mpeg4", ".bin", "mp4", "mp4", ".mp4", "video/mp4", "mpeg4"),
    ],
)
def test_accepts_real_videos_and_describes_them(
    tmp_path: Path, codec: str, suffix: str, muxer: str | None, container: str,
    extension: str, content_type: str, decoded: str,
) -> None:
    if not _has_encoder(codec):
        pytest.skip(f"this FFmpeg has no {codec} encoder")
    path = write_sample_video(tmp_path / f"clip{suffix}", seconds=2.0, width=320, height=240,
                              codec=codec, container=muxer)
    info, cover = analyse(path)
    assert info == VideoInfo(container, decoded, 320, 240, pytest.approx(2.0, abs=0.1))
    assert (info.extension, info.content_type) == (extension, content_type)
    assert cover[:2] == b"\xff\xd8" and cover[-2:] == b"\xff\xd9"
    # narrower than the cover's limit: kept at its own size, never upscaled
    assert _decode_jpeg(cover) == (320, 240)


@pytest.mark.parametrize(
    ("size", "max_width", "cover"),
    [
        ((640, 360), 320, (320, 180)),  # landscape, halved
        ((360, 640), 180, (180, 320)),  # portrait keeps its aspect
        ((640, 480), 720, (640, 480)),  # already small enough
        ((640, 480), 401, (400, 300)),  # even sizes, width within the limit
    ],
)
def test_cover_is_scaled_down_keeping_the_aspect_ratio(
    tmp_path: Path, size: tuple[int, int], max_width: int, cover: tuple[int, int]
) -> None:
    width, height = size
    path = write_sample_video(tmp_path / "clip.mp4", seconds=1.0, width=width, height=height)
    info, jpeg = analyse(path, cover_max_width=max_width)
    assert (info.width, info.height) == size
    assert _decode_jpeg(jpeg) == cover


def _rgb(frame: av.VideoFrame) -> bytes:
    # every 7th byte is plenty to tell frames apart, and keeps the comparison quick
    return bytes(frame.reformat(format="rgb24").planes[0])[::7]


def test_cover_of_a_longer_video_is_its_frame_at_about_one_second(tmp_path: Path) -> None:
    path = write_sample_video(tmp_path / "clip.mp4", seconds=4.0, fps=25)
    info, cover = analyse(path)
    assert info.duration == pytest.approx(4.0, abs=0.1)
    with av.open(BytesIO(cover)) as image:
        picture = _rgb(next(image.decode(video=0)))
    with av.open(str(path)) as video:
        frames = [_rgb(frame) for frame in video.decode(video=0)]

    def distance(index: int) -> int:
        return sum(abs(a - b) for a, b in zip(picture, frames[index], strict=True))

    closest = min(range(len(frames)), key=distance)
    # 1 s is frame 25; skipping non-reference frames may land a frame or two later
    assert 25 <= closest <= 28


def test_cover_of_a_short_video_is_its_first_frame(tmp_path: Path) -> None:
    path = write_sample_video(tmp_path / "clip.mp4", seconds=1.2, fps=25)
    _, cover = analyse(path)
    with av.open(BytesIO(cover)) as image:
        picture = _rgb(next(image.decode(video=0)))
    with av.open(str(path)) as video:
        frames = [_rgb(frame) for frame in video.decode(video=0)]
    distances = [sum(abs(a - b) for a, b in zip(picture, f, strict=True)) for f in frames]
    assert distances.index(min(distances)) == 0


def test_write_sample_video_depends_on_its_seed(tmp_path: Path) -> None:
    one = write_sample_video(tmp_path / "a.mp4", seed=1).read_bytes()
    again = write_sample_video(tmp_path / "b.mp4", seed=1).read_bytes()
    other = write_sample_video(tmp_path / "c.mp4", seed=2).read_bytes()
    assert one == again
    assert one != other


@pytest.mark.parametrize("target", [300_000, 3_000_000])
def test_write_video_of_size_hits_its_target(tmp_path: Path, target: int) -> None:
    path = write_video_of_size(tmp_path / "big.mp4", target)
    assert abs(path.stat().st_size - target) <= target * 0.10
    info, cover = analyse(path)
    assert (info.container, info.codec, info.width, info.height) == ("mp4", "mpeg4", 640, 480)
    assert _decode_jpeg(cover) == (640, 480)


def test_rejects_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    assert "empty" in _rejection(path).message


def test_rejects_a_text_file(tmp_path: Path) -> None:
    # FFmpeg alone would play this as ANSI art (the "tty" demuxer)
    path = tmp_path / "notes.mp4"
    path.write_text("my holiday video, coming soon\n" * 50)
    error = _rejection(path)
    assert "format" in error.message
    assert isinstance(error.__cause__, av.FFmpegError)


def test_rejects_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.mp4"
    path.write_bytes(random.Random(7).randbytes(200_000))
    _rejection(path)


def test_rejects_a_png_image(tmp_path: Path) -> None:
    path = tmp_path / "picture.mp4"
    path.write_bytes(gradient_png(64, 48, (255, 0, 0), (0, 0, 255)))
    assert "image" in _rejection(path).message


def test_rejects_a_jpeg_image(tmp_path: Path) -> None:
    # a real JPEG, made by analyse() itself: a video's cover is not a video
    _, cover = analyse(write_sample_video(tmp_path / "clip.mp4", seconds=0.2))
    path = tmp_path / "cover.mp4"
    path.write_bytes(cover)
    assert "image" in _rejection(path).message


@pytest.mark.parametrize(("suffix", "muxer"), [(".m4a", "mp4"), (".mka", "matroska")])
def test_rejects_audio_only(tmp_path: Path, suffix: str, muxer: str) -> None:
    path = _aac_file(tmp_path / f"song{suffix}", muxer)
    assert "sound" in _rejection(path).message


def test_rejects_the_first_2_kb_of_a_video(tmp_path: Path) -> None:
    whole = write_sample_video(tmp_path / "clip.mp4").read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(whole[:2048])
    _rejection(path)


def test_rejects_a_video_cut_in_the_middle(tmp_path: Path) -> None:
    # its index is complete (written up front) but its frames stop half way
    whole = write_sample_video(tmp_path / "clip.mp4", seconds=4.0).read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(whole[: len(whole) // 2])
    assert "incomplete" in _rejection(path).message


def test_rejects_a_video_track_without_frames(tmp_path: Path) -> None:
    path = tmp_path / "nothing.avi"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        out.start_encoding()
    assert "no picture" in _rejection(path).message


def test_rejects_a_picture_larger_than_8k(tmp_path: Path) -> None:
    # tall and thin, so that making it stays cheap
    path = write_sample_video(tmp_path / "tall.mp4", seconds=0.08, width=16, height=8194)
    assert "larger than 8192" in _rejection(path).message
