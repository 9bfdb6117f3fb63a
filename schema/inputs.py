"""Input types."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload

from domain.enums import AdDuration as AdDurationValue
from domain.enums import AspectRatio as AspectRatioValue
from domain.enums import MusicChoice as MusicChoiceValue
from schema.enums import AdDuration, AdStyle, AspectRatio, MusicChoice, VariantAxis


@strawberry.input
class CreateJobInput:
    product_name: str | None = strawberry.field(
        default=None,
        description="1-120 characters after trimming. Required unless productUrl is given "
        "(then the page's name is used).",
    )
    style: AdStyle
    cta_text: str = strawberry.field(description="1-60 characters after trimming.")
    product_image: Upload | None = strawberry.field(
        default=None,
        description="PNG, JPEG or WebP, per the GraphQL multipart request spec: the same as "
        "productImages with one photo (send one or the other).",
    )
    product_images: list[Upload] | None = strawberry.field(
        default=None,
        description="Up to 8 photos of the product, in the order the ad may show them; each "
        "PNG, JPEG or WebP within MAX_UPLOAD_BYTES and MAX_IMAGE_PIXELS.",
    )
    aspect_ratio: AspectRatio | None = AspectRatioValue.PORTRAIT
    product_url: str | None = strawberry.field(
        default=None,
        description="The product's page in a shop (http(s), public addresses only): its name, "
        "description, photos and price fill in what this input leaves out. Read once every "
        "other field is valid.",
    )
    product_description: str | None = strawberry.field(
        default=None,
        description="What the product is and does, up to 500 characters: the ad's copy is "
        "built from it (and claims nothing it does not say).",
    )
    key_benefits: list[str] | None = strawberry.field(
        default=None, description="Up to 3 key benefits, up to 80 characters each."
    )
    duration: AdDuration | None = strawberry.field(
        default=AdDurationValue.AUTO,
        description="AUTO: as long as the brief needs (15 s for a name and a call-to-action, up "
        "to 30 s with a description and key benefits); SECONDS_15 or SECONDS_30 force it.",
    )
    music: MusicChoice | None = strawberry.field(
        default=MusicChoiceValue.AUTO,
        description="AUTO: a bed matched to the style, ducked under the voice; NONE: no music.",
    )
    music_track: Upload | None = strawberry.field(
        default=None,
        description="Your own music instead of ours: WAV, MP3, Ogg, FLAC or M4A, at most 20 MB "
        "and 10 minutes, per the GraphQL multipart request spec.",
    )
    language: str = strawberry.field(
        default="en",
        description="BCP 47 tag of the ad's language (voiceover, captions, on-screen text). "
        "Offline: en, es, fr, de, pt; with Claude, any language a voice here can say.",
    )
    voice: str | None = strawberry.field(
        default=None,
        description="A voice id from the voices query; it must speak the language. Default: "
        "the language's (the style's with hosted speech).",
    )
    brand_kit_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="One of your brand kits: the ad takes its colours, fonts and logo, and "
        "keeps a snapshot of the kit as it is now (Job.brand).",
    )
    webhook_url: str | None = strawberry.field(
        default=None,
        description="Told of every status change (PROCESSING, COMPLETED, FAILED, CANCELLED) by "
        "a JSON POST signed with your WEBHOOK_SECRETS secret (header Adreel-Signature: "
        't=<unix>,v1=<hex HMAC-SHA256 of "t.body">). http(s), public addresses only.',
    )


@strawberry.input
class CreateVariantsInput:
    job_id: strawberry.ID = strawberry.field(description="A COMPLETED job of yours.")
    count: int = strawberry.field(default=3, description="1-5 variants.")
    vary: list[VariantAxis] = strawberry.field(
        description="The axes the variants differ on; everything else stays as in the source."
    )
