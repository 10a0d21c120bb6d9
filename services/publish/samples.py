"""Synthetic videos made at run time, for tests, `dyttctl seed` and benchmarks.

No video binary is committed: every clip is generated here with PyAV, without numpy. Frames are
filled plane by plane from `bytes` built with slicing and repetition only (no per-pixel Python
loop), which is what keeps a 2 s 320x240 clip well under a second.
"""

from __future__ import annotations

import colorsys
import random
from fractions import Fraction
from pathlib import Path

import av
from av.video.frame import VideoFrame

# Per codec: options that make encoding fast while still giving a normal, seekable stream.
_CODEC_OPTIONS: dict[str, dict[str, str]] = {
    "libx264": {"preset": "veryfast"},
    "libvpx": {"deadline": "realtime", "cpu-used": "8"},
    "libvpx-vp9": {"deadline": "realtime", "cpu-used": "8", "row-mt": "1"},
}
# Muxers that write the index last unless told otherwise: players streaming the file over HTTP
# (clients fetch play_url straight from MinIO) want it first.
_FASTSTART_FORMATS = {"mp4", "mov", "m4v", "ipod"}


def write_sample_video(
    path: Path,
    *,
    seconds: float = 2.0,
    width: int = 320,
    height: int = 240,
    fps: int = 25,
    seed: int = 0,
    codec: str = "libx264",
    container: str | None = None,
) -> Path:
    """Write a small watchable clip to `path` and return `path`.

    Diagonal bands drift across a vertical colour gradient whose palette depends on `seed`.
    The pixel format is yuv420p; the container is guessed from the suffix of `path` (MP4 for
    `.mp4`) unless `container` names an FFmpeg muxer ("mp4", "webm", "matroska", "avi", ...).
    The GOP is two seconds long, as in ordinary phone and camera footage.
    """
    if width < 2 or height < 2 or width % 2 or height % 2:
        raise ValueError(f"width and height must be even and at least 2, not {width}x{height}")
    if fps <= 0 or seconds <= 0:
        raise ValueError("fps and seconds must be positive")
    frames = max(1, round(seconds * fps))
    rng = random.Random(seed)
    hue = rng.random()
    # the second hue a third of the wheel or more away, so that every palette shows a gradient
    top, bottom = _chroma(hue), _chroma((hue + 0.3 + 0.4 * rng.random()) % 1.0)
    # about eight soft diagonal bands across the picture, whatever its size
    period = max(16, width // 16 * 2)
    wave = _wave(width + 2 * period, period)

    muxer = container or Path(path).suffix.lstrip(".").lower()
    options = {"movflags": "+faststart"} if muxer in _FASTSTART_FORMATS else {}
    with av.open(str(path), "w", format=container, options=options) as out:
        stream = out.add_stream(codec, rate=fps, options=_CODEC_OPTIONS.get(codec, {}))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.gop_size = 2 * fps
        if codec == "mpeg4":
            # mpeg4's default bit rate (200 kb/s) smears even a small clip
            stream.codec_context.qscale = True
            stream.codec_context.global_quality = 4
        for index in range(frames):
            frame = _gradient_frame(width, height, index, wave, period, top, bottom)
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def write_video_of_size(
    path: Path, target_bytes: int, *, width: int = 640, height: int = 480
) -> Path:
    """Write a decodable mpeg4 video of about `target_bytes` to `path` (±1 % from ~200 KB up).

    The frames are noise, every one an intra frame at the finest quantiser, so each one costs
    about the same number of bytes and the size can be steered frame by frame; the last frame
    is noise only in its top rows, as many as the remaining bytes need. Packets go to disk as
    they are encoded, so memory stays at a few frames whatever the target. The container is
    guessed from the suffix of `path` (`.mp4`, `.avi`, `.mkv`, `.mov`).
    """
    if width < 16 or height < 16 or width % 2 or height % 2:
        raise ValueError(f"width and height must be even and at least 16, not {width}x{height}")
    fps = 25
    rng = random.Random(target_bytes)
    written = 0
    # what a frame of full noise costs: mpeg4 at qscale 2 spends ~1.8 B per pixel on noise;
    # corrected by each frame actually encoded, so a small target is not overshot by the first
    frame_bytes = width * height * 1.8
    # the muxer's header and index (a few KB, ~20 B per frame): a fixed guess is close enough
    budget = max(0, target_bytes - 4096)

    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        context = stream.codec_context
        context.gop_size = 1  # intra only: every frame the same size for the same content
        context.max_b_frames = 0
        context.qscale = True
        context.global_quality = 2
        index = 0
        while written < budget:
            remaining = budget - written
            share = min(1.0, remaining / frame_bytes)
            frame = _noise_frame(width, height, share, rng)
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                written += packet.size
                if share > 0.25:
                    frame_bytes = packet.size / share
                out.mux(packet)
            index += 1
        for packet in stream.encode(None):
            written += packet.size
            out.mux(packet)
    return path


def _chroma(hue: float) -> tuple[int, int]:
    """(U, V) of a saturated colour of `hue`, in the limited range of yuv420p."""
    r, g, b = colorsys.hsv_to_rgb(hue, 0.75, 1.0)
    u = 128 + (-0.1146 * r - 0.3854 * g + 0.5 * b) * 224
    v = 128 + (0.5 * r - 0.4542 * g - 0.0458 * b) * 224
    return round(u), round(v)


def _wave(length: int, period: int) -> bytes:
    """A triangle wave of luma values (limited range), `length` samples long."""
    half = period / 2
    return bytes(round(40 + 180 * abs((i % period) - half) / half) for i in range(length))


def _gradient_frame(
    width: int,
    height: int,
    index: int,
    wave: bytes,
    period: int,
    top: tuple[int, int],
    bottom: tuple[int, int],
) -> VideoFrame:
    frame = VideoFrame(width, height, "yuv420p")
    luma, cb, cr = frame.planes
    # each row is the wave shifted by one more pixel: diagonal bands, drifting with time
    # about a 64th of a period per frame (a pixel at least): a drift, not a flicker
    offset = index * max(1, period // 64) % period
    stride = luma.line_size
    starts = (offset + y % period for y in range(luma.height))
    luma.update(b"".join(wave[start:start + width].ljust(stride, b"\0") for start in starts))
    # the palette breathes slowly so that the clip is not a still picture in chroma either
    drift = (index % 100) / 100
    for plane, channel in ((cb, 0), (cr, 1)):
        rows = []
        for y in range(plane.height):
            t = (y / max(1, plane.height - 1) + drift) % 1.0
            t = 2 * t if t < 0.5 else 2 - 2 * t
            value = round(top[channel] + (bottom[channel] - top[channel]) * t)
            rows.append(bytes((value,)) * plane.line_size)
        plane.update(b"".join(rows))
    return frame


def _noise_frame(width: int, height: int, share: float, rng: random.Random) -> VideoFrame:
    """A frame of noise over the top `share` of its rows and flat grey below."""
    frame = VideoFrame(width, height, "yuv420p")
    for plane in frame.planes:
        noisy = max(1, round(plane.height * share)) * plane.line_size
        plane.update(rng.randbytes(noisy) + b"\x80" * (plane.buffer_size - noisy))
    return frame
