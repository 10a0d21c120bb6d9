"""Is an uploaded file a real video, and what is its cover: one pass with PyAV over the file.

The file is opened once. Only the demuxers of real video containers may read it
(`format_whitelist`), and only from the local file (`protocol_whitelist`): FFmpeg would otherwise
take a text file for ANSI art, a PNG for a one-frame video, and a playlist for a list of URLs
to fetch (a known way to make a server read its own files). From the video stream only the
frames up to the cover are decoded: a seek to the keyframe before 1 s, then a few frames.

Every FFmpeg failure becomes AppError(INVALID_ARGUMENT) with a message for the user; FFmpeg's
own text (paths, demuxer internals) only reaches the log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from av.container import InputContainer
from av.stream import Disposition
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from services.mesh.errors import AppError, Code

log = logging.getLogger(__name__)

# Where the cover is taken: the first frame is often black or a fade-in.
COVER_AT = 1.0
# Bounds on the work for one cover, whatever the file claims about its timestamps.
_MAX_DECODED_FRAMES = 90
_MAX_PACKETS_WITHOUT_FRAME = 250
_MAX_BAD_PACKETS = 8
# Largest picture side accepted (8K is 7680 wide): a crafted header cannot make us decode a
# gigapixel frame.
MAX_SIDE = 8192
# mjpeg's quantiser (2 best .. 31 worst); 4 is a sharp cover at ~40 KB for 720 px.
_COVER_QUALITY = 4

# Our name of a container: (file extension, Content-Type).
_CONTAINERS: dict[str, tuple[str, str]] = {
    "mp4": (".mp4", "video/mp4"),
    "mov": (".mov", "video/quicktime"),
    "3gp": (".3gp", "video/3gpp"),
    "webm": (".webm", "video/webm"),
    "matroska": (".mkv", "video/x-matroska"),
    "avi": (".avi", "video/x-msvideo"),
    "flv": (".flv", "video/x-flv"),
    "mpegts": (".ts", "video/mp2t"),
    "mpeg": (".mpg", "video/mpeg"),
    "asf": (".wmv", "video/x-ms-wmv"),
    "ogg": (".ogv", "video/ogg"),
}
# The demuxers allowed to open an upload: one per container above ("mov" is the MP4 family,
# "matroska" reads WebM too).
_DEMUXERS = "mov,matroska,avi,flv,mpegts,mpeg,asf,ogg"
_OPEN_OPTIONS = {"format_whitelist": _DEMUXERS, "protocol_whitelist": "file"}

# Codecs of pictures, not of moving images (a PNG inside a MOV is still a picture).
_IMAGE_CODECS = frozenset({
    "apng", "bmp", "dds", "exr", "gif", "hdr", "jpeg2000", "jpegls", "jpegxl", "pam", "pbm",
    "pcx", "pgm", "photocd", "png", "ppm", "psd", "qoi", "sgi", "sunrast", "targa", "tiff",
    "webp", "xbm", "xpm", "xwd",
})
# MP4-family brands of HEIF/AVIF still images (the mov demuxer reads those too).
_IMAGE_BRANDS = frozenset({"avif", "avis", "heic", "heix", "heim", "heis", "mif1", "msf1"})
# WebM is Matroska restricted to these codecs; browsers play it, not Matroska in general.
_WEBM_VIDEO = frozenset({"vp8", "vp9", "av1"})
_WEBM_AUDIO = frozenset({"opus", "vorbis"})
# File signatures of common images: the user is told "image" rather than "unknown format".
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM",
                     b"II*\x00", b"MM\x00*", b"\xff\x0a", b"\x00\x00\x00\x0cJXL ")


@dataclass(frozen=True)
class VideoInfo:
    """What an accepted upload is."""

    container: str  # our container name, a key of _CONTAINERS ("mp4", "webm", "matroska", ...)
    codec: str  # FFmpeg's name of the video codec ("h264", "vp9", "mpeg4", ...)
    width: int
    height: int
    duration: float | None  # seconds; None when the file does not tell

    @property
    def extension(self) -> str:
        """The file extension of the container, with its dot (".mp4")."""
        return _CONTAINERS[self.container][0]

    @property
    def content_type(self) -> str:
        """The Content-Type to serve the file with ("video/mp4")."""
        return _CONTAINERS[self.container][1]


def analyse(path: Path, *, cover_max_width: int = 720) -> tuple[VideoInfo, bytes]:
    """Check that `path` is a decodable video; return what it is and a JPEG cover.

    The cover is the frame at 1 s (the first one for shorter videos), scaled down to at most
    `cover_max_width` pixels wide with its aspect ratio kept. Raises AppError(INVALID_ARGUMENT)
    for anything that is not a video: empty, text, images, audio only, damaged, truncated.
    """
    if cover_max_width < 2:
        raise ValueError(f"cover_max_width must be at least 2, not {cover_max_width}")
    with path.open("rb") as file:
        head = file.read(16)
        size = file.seek(0, 2)
    if not head:
        raise _not_a_video("it is empty")
    if head.startswith(_IMAGE_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        raise _not_a_video("it is an image")
    try:
        container = av.open(str(path), options=_OPEN_OPTIONS, metadata_errors="replace")
    except av.FFmpegError as exc:
        log.info("upload rejected, no demuxer took it: %s", exc)
        raise _not_a_video("its format is unknown, or the file is damaged") from exc
    try:
        with container:
            info, frame, pixel_aspect = _inspect(container, size)
            cover = _encode_cover(frame, pixel_aspect, cover_max_width)
    except av.FFmpegError as exc:
        log.info("upload rejected, it did not decode: %s", exc)
        raise _not_a_video("it is damaged or incomplete") from exc
    return info, cover


def _not_a_video(reason: str) -> AppError:
    return AppError(Code.INVALID_ARGUMENT, f"the uploaded file is not a video ({reason})")


def _inspect(
    container: InputContainer, size: int
) -> tuple[VideoInfo, VideoFrame, Fraction | None]:
    """The video's description, its cover frame and pixel aspect ratio; AppError if no video."""
    # cover art of a music file is a video stream too, flagged as an attached picture
    pictures = Disposition.attached_pic | Disposition.still_image
    videos = [s for s in container.streams.video if not s.disposition & pictures]
    if not videos:
        if container.streams.audio:
            raise _not_a_video("it has only sound, no picture")
        if container.streams.video:
            raise _not_a_video("it is an image")
        raise _not_a_video("it has no video track")
    stream = videos[0]
    codec = stream.codec_context.name if stream.codec_context is not None else None
    if codec is None:
        raise _not_a_video("its video codec is not supported")
    if codec in _IMAGE_CODECS:
        raise _not_a_video("it is an image")
    name = _container_name(container, codec)
    if max(stream.codec_context.width, stream.codec_context.height) > MAX_SIDE:
        raise _not_a_video(f"its picture is larger than {MAX_SIDE} pixels on a side")
    if _data_end(stream) > size:
        raise _not_a_video("it is incomplete: the file ends before its last frame")
    duration = _duration(container, stream)
    frame = _cover_frame(container, stream, duration)
    if frame is None:
        raise _not_a_video("no picture could be decoded from it")
    width = stream.codec_context.width or frame.width
    height = stream.codec_context.height or frame.height
    info = VideoInfo(name, codec, width, height, duration)
    return info, frame, stream.codec_context.sample_aspect_ratio


def _container_name(container: InputContainer, codec: str) -> str:
    demuxer = container.format.name.split(",")[0]
    if demuxer == "mov":
        brand = container.metadata.get("major_brand", "").strip().lower()
        if brand in _IMAGE_BRANDS:
            raise _not_a_video("it is an image")
        if brand == "qt":
            return "mov"
        return "3gp" if brand.startswith("3g") else "mp4"
    if demuxer == "matroska":
        audio = {s.codec_context.name for s in container.streams.audio if s.codec_context}
        webm = codec in _WEBM_VIDEO and audio <= _WEBM_AUDIO
        return "webm" if webm else "matroska"
    if demuxer not in _CONTAINERS:  # the whitelist and this table disagree: our bug
        raise AssertionError(f"demuxer {demuxer!r} is allowed but has no container entry")
    return demuxer


def _data_end(stream: VideoStream) -> int:
    """Where the stream's last frames end in the file, as far as its index tells (0: no index).

    Only the cover's frames are decoded, so a cut-off upload (MP4 and MOV index every frame up
    front, AVI at the end) is caught here rather than by its missing frames.
    """
    entries = stream.index_entries
    # the index is in time order; B-frames put the furthest sample among the last few
    last = (entries[i] for i in range(max(0, len(entries) - 16), len(entries)))
    return max((entry.pos + entry.size for entry in last if entry.pos >= 0), default=0)


def _duration(container: InputContainer, stream: VideoStream) -> float | None:
    if stream.duration and stream.time_base:
        seconds = float(stream.duration * stream.time_base)
    elif container.duration:
        seconds = container.duration / av.time_base
    else:
        return None
    return seconds if seconds > 0 else None


def _cover_frame(
    container: InputContainer, stream: VideoStream, duration: float | None
) -> VideoFrame | None:
    """The frame at COVER_AT, the first one for short videos; None if none decodes."""
    context = stream.codec_context
    context.thread_type = "AUTO"
    # frames no other frame refers to (most B-frames) need not be decoded on the way to the
    # cover: that halves the work, and the cover is still a frame within a few of 1 s
    context.skip_frame = "NONREF"
    time_base = stream.time_base
    start = float(stream.start_time * time_base) if stream.start_time and time_base else 0.0
    # a video of unknown length is decoded from its start, up to the same point or frame cap
    target = 0.0 if duration is not None and duration < COVER_AT + 0.5 else COVER_AT
    seeked = False
    if target and time_base and duration is not None:
        try:
            # backward: land on the keyframe before the target, so the frames decode cleanly
            container.seek(round((start + target) / time_base), stream=stream, backward=True)
            seeked = True
        except av.FFmpegError as exc:  # unseekable (no index): carry on from the start
            log.debug("seek failed, decoding from the start: %s", exc)
    frame = _decode_until(container, stream, start + target)
    if frame is None and seeked:
        # a broken index can send the seek past every frame: try once from the beginning
        container.seek(stream.start_time or 0, stream=stream, backward=True)
        context.flush_buffers()
        context.skip_frame = "DEFAULT"
        frame = _decode_until(container, stream, start)
    return frame


def _decode_until(container: InputContainer, stream: VideoStream, at: float) -> VideoFrame | None:
    """The first frame at or after `at` seconds, or the last one decoded within the caps."""
    chosen: VideoFrame | None = None
    decoded = packets = bad = 0
    for packet in container.demux(stream):
        packets += 1
        try:
            frames = packet.decode()
        except av.FFmpegError:
            # one damaged packet does not make a bad video, a run of them does
            bad += 1
            if bad > _MAX_BAD_PACKETS:
                raise
            continue
        for frame in frames:
            chosen, decoded = frame, decoded + 1
            if frame.time is None or frame.time >= at - 1e-3 or decoded >= _MAX_DECODED_FRAMES:
                return chosen
        if chosen is None and packets > _MAX_PACKETS_WITHOUT_FRAME:
            return None
    return chosen


def _encode_cover(frame: VideoFrame, pixel_aspect: Fraction | None, max_width: int) -> bytes:
    """`frame` scaled to at most `max_width` wide, even-sized, as a baseline JPEG."""
    width, height = _cover_size(frame.width, frame.height, pixel_aspect, max_width)
    picture = frame.reformat(width=width, height=height, format="yuvj420p",
                             interpolation="AREA")
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuvj420p"
    encoder.time_base = Fraction(1, 1)
    encoder.qscale = True
    encoder.global_quality = _COVER_QUALITY
    picture.pts, picture.time_base = 0, encoder.time_base
    packets = [*encoder.encode(picture), *encoder.encode(None)]
    return b"".join(bytes(packet) for packet in packets)


def _cover_size(
    width: int, height: int, pixel_aspect: Fraction | None, max_width: int
) -> tuple[int, int]:
    # anamorphic video (non-square pixels) is shown wider or narrower than it is stored
    shown_width = width * pixel_aspect if pixel_aspect and pixel_aspect > 0 else width
    # JPEG's 4:2:0 wants even sizes; rounding the width down keeps it within max_width
    scaled = max(2, int(min(max_width, shown_width)) // 2 * 2)
    return scaled, max(2, round(height * scaled / shown_width / 2) * 2)
