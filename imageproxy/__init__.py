"""The avatar proxy: `GET /api/proxy/image?s=<signed>`.

Pages and the API call `imageproxy.signing.proxied_image_url(url, name, width=None)` (pages
pass the width they show, from `signing.AVATAR_WIDTHS`); the view (`views`) checks the
signature and the width and hands the URL to `proxy.serve`, which runs:

    cache.get (images and failures) → urlcheck (policy) → limits (a fetch slot per process,
    machine and client, or a "busy" placeholder at once) → fetch (403 ladder; netguard vets
    every address at connect time; deadline, byte cap, redirects by hand) → convert (sniff;
    HEIC→JPEG; decode check; fitted to the width) → cache.put (per URL and width) /
    cache.put_failure (per URL)

and turns every failure into `placeholder` (an SVG with the creator's initial).
"""
