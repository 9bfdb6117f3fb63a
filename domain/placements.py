"""Where an ad is posted, and what each placement accepts: the limits the preflight checks a
finished file against (pipeline.preflight).

Every number below is from the platform's public ad-spec or creative guide (cited per row) as
read in December 2026; they drift as the apps change, so each is kept in one place, here.
Safe zones are shares of the frame the placement's own UI covers (profile, caption, buttons,
progress bar): no text of ours may sit there. Shares, not pixels, so a 360p draft is checked in
proportion, exactly as the layout draws it (pipeline.video.layout).

Loudness is the same everywhere: the apps play ads at about -14 LUFS (YouTube's, Spotify's and
TikTok's normalisation target) and clip what peaks above -1 dBTP after their own AAC encode,
so -14 LUFS +-2 LU integrated and a true peak of at most -1 dBTP is the one target (AES TD1004,
"Recommendations for Loudness of Internet Audio Streaming and On-Demand Distribution").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.enums import AspectRatio


class Placement(StrEnum):
    TIKTOK = "tiktok"
    REELS = "reels"  # Instagram and Facebook Reels
    SHORTS = "shorts"  # YouTube Shorts
    STORIES = "stories"  # Instagram and Facebook Stories
    FEED_4_5 = "feed_4_5"  # Instagram and Facebook feeds, 1080x1350
    FEED_SQUARE = "feed_square"  # Instagram and Facebook feeds, 1080x1080
    YOUTUBE = "youtube"  # YouTube in-stream, 16:9


@dataclass(frozen=True, slots=True)
class SafeArea:
    """Shares of the frame's height (top, bottom) and width (left, right) kept free of text."""

    top: float
    bottom: float
    left: float
    right: float


@dataclass(frozen=True, slots=True)
class PlacementSpec:
    label: str  # what a person calls it: "TikTok in-feed"
    width: int  # the recommended frame: the size the placement is drawn for
    height: int
    min_width: int  # the smallest frame it accepts (or recommends against going under)
    min_height: int
    min_seconds: float
    max_seconds: float
    min_fps: float
    max_fps: float
    max_megabytes: float  # MB as the guides mean it: 10**6 bytes
    min_kbps: int  # the whole file's bitrate; 0: none stated
    safe: SafeArea
    source: str  # where the numbers are from
    video_codecs: tuple[str, ...] = ("h264",)
    audio_codecs: tuple[str, ...] = ("aac",)
    lufs: float = -14.0
    lufs_tolerance: float = 2.0
    max_true_peak: float = -1.0

    @property
    def aspect(self) -> float:
        return self.width / self.height


# Meta's video requirements for every Facebook/Instagram placement: H.264, AAC at 128 kbps+,
# files up to 4 GB (https://www.facebook.com/business/ads-guide/video).
_META_MB = 4000.0
# YouTube's upload limit is 256 GB or 12 hours (https://support.google.com/youtube/answer/71673);
# frame rates 24-60 and H.264/AAC-LC in MP4 are its recommended upload settings
# (https://support.google.com/youtube/answer/1722171).
_YOUTUBE_MB = 256_000.0

# fmt: off
PLACEMENTS: dict[Placement, PlacementSpec] = {
    # TikTok Ads Manager, "Video ads specifications" (ads.tiktok.com/help/article?aid=
    # 6669199281502552069): 9:16, >= 720x1280, 5-60 s, >= 516 kbps, <= 500 MB. The safe zone of
    # TikTok's creative center overlay at 1080x1920: the top 150 px (tabs), the bottom 440 px
    # (description, music, CTA), the right 150 px (the action rail).
    Placement.TIKTOK: PlacementSpec(
        label="TikTok in-feed",
        width=1080, height=1920, min_width=720, min_height=1280,
        min_seconds=5.0, max_seconds=60.0, min_fps=23.976, max_fps=60.0,
        max_megabytes=500.0, min_kbps=516,
        safe=SafeArea(top=150 / 1920, bottom=440 / 1920, left=0.0, right=150 / 1080),
        source="ads.tiktok.com/help/article?aid=6669199281502552069",
    ),
    # Meta Ads Guide, Reels (facebook.com/business/ads-guide/video/instagram-reels): 9:16,
    # 1080x1920 (at least 500 px wide), up to 15 minutes; "leave 14% of the top, 35% of the
    # bottom and 6% of the sides free of text" (Reels safe zone, Ads Manager's guardrail).
    Placement.REELS: PlacementSpec(
        label="Instagram/Facebook Reels",
        width=1080, height=1920, min_width=500, min_height=889,
        min_seconds=1.0, max_seconds=900.0, min_fps=23.976, max_fps=60.0,
        max_megabytes=_META_MB, min_kbps=0,
        safe=SafeArea(top=0.14, bottom=0.35, left=0.06, right=0.06),
        source="facebook.com/business/ads-guide/video/instagram-reels",
    ),
    # Google Ads Help, "YouTube Shorts ads specifications" (support.google.com/google-ads/answer/
    # 16041697): 9:16, up to 3 minutes (the feed plays 60 s); the bottom quarter holds the
    # channel, description and CTA, the right rail (like, comment, share) about 14% of the width.
    Placement.SHORTS: PlacementSpec(
        label="YouTube Shorts",
        width=1080, height=1920, min_width=720, min_height=1280,
        min_seconds=1.0, max_seconds=180.0, min_fps=23.976, max_fps=60.0,
        max_megabytes=_YOUTUBE_MB, min_kbps=0,
        safe=SafeArea(top=0.06, bottom=0.25, left=0.04, right=0.14),
        source="support.google.com/google-ads/answer/16041697",
    ),
    # Meta Ads Guide, Stories (facebook.com/business/ads-guide/video/instagram-story): 9:16,
    # 1 s to 60 s per card; keep the top 14% and the bottom 20% free (profile; reply bar, CTA).
    Placement.STORIES: PlacementSpec(
        label="Instagram/Facebook Stories",
        width=1080, height=1920, min_width=500, min_height=889,
        min_seconds=1.0, max_seconds=60.0, min_fps=23.976, max_fps=60.0,
        max_megabytes=_META_MB, min_kbps=0,
        safe=SafeArea(top=0.14, bottom=0.20, left=0.06, right=0.06),
        source="facebook.com/business/ads-guide/video/instagram-story",
    ),
    # Meta Ads Guide, Feed (facebook.com/business/ads-guide/video/instagram-feed): 4:5 at
    # 1080x1350 (at least 500 px wide), 1 s to 241 minutes. No UI covers a feed video; a margin
    # of about 64 px (6%) keeps text clear of the rounded, cropped edges on phones.
    Placement.FEED_4_5: PlacementSpec(
        label="Instagram/Facebook feed 4:5",
        width=1080, height=1350, min_width=500, min_height=625,
        min_seconds=1.0, max_seconds=241 * 60.0, min_fps=23.976, max_fps=60.0,
        max_megabytes=_META_MB, min_kbps=0,
        safe=SafeArea(top=64 / 1350, bottom=64 / 1350, left=64 / 1080, right=64 / 1080),
        source="facebook.com/business/ads-guide/video/instagram-feed",
    ),
    # The same guide's 1:1 (1080x1080).
    Placement.FEED_SQUARE: PlacementSpec(
        label="Instagram/Facebook feed 1:1",
        width=1080, height=1080, min_width=500, min_height=500,
        min_seconds=1.0, max_seconds=241 * 60.0, min_fps=23.976, max_fps=60.0,
        max_megabytes=_META_MB, min_kbps=0,
        safe=SafeArea(top=64 / 1080, bottom=64 / 1080, left=64 / 1080, right=64 / 1080),
        source="facebook.com/business/ads-guide/video/instagram-feed",
    ),
    # YouTube in-stream (Google Ads Help, "Video ad formats", support.google.com/google-ads/
    # answer/2375464): 16:9 at 1920x1080 (at least 1280x720 for HD), under 3 minutes
    # recommended, bumpers from 6 s. Title-safe 5% (SMPTE ST 2046-1) on three sides; the
    # player's progress bar, ad badge and "Visit site" button take the bottom tenth.
    Placement.YOUTUBE: PlacementSpec(
        label="YouTube in-stream",
        width=1920, height=1080, min_width=1280, min_height=720,
        min_seconds=6.0, max_seconds=180.0, min_fps=23.976, max_fps=60.0,
        max_megabytes=_YOUTUBE_MB, min_kbps=0,
        safe=SafeArea(top=0.05, bottom=0.10, left=0.05, right=0.05),
        source="support.google.com/google-ads/answer/2375464",
    ),
}
# fmt: on

# What a job's one output is checked for, by the aspect ratio it is made at. A 9:16 file is
# posted as it is to TikTok, Reels and Shorts alike, so it is checked against all three (the
# strictest edge wins: Reels' bottom, TikTok's right rail); Stories take the same file but
# cover less of it than Reels, so they add no check. 1:1 is the feed's; 16:9 YouTube's.
# 4:5 is no aspect ratio a job is made at today: FEED_4_5 is there for the day one is.
DEFAULT_PLACEMENTS: dict[AspectRatio, tuple[Placement, ...]] = {
    AspectRatio.PORTRAIT: (Placement.TIKTOK, Placement.REELS, Placement.SHORTS),
    AspectRatio.SQUARE: (Placement.FEED_SQUARE,),
    AspectRatio.LANDSCAPE: (Placement.YOUTUBE,),
}


def placements_for(aspect: AspectRatio) -> tuple[Placement, ...]:
    return DEFAULT_PLACEMENTS[aspect]
