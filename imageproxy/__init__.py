"""The avatar proxy: `GET /api/proxy/image?s=<signed>`.

Pages and the API call `imageproxy.signing.proxied_image_url(url, name)`; the view (`views`)
checks the signature and hands the URL to `proxy.serve`, which runs:

    cache.get → urlcheck (policy) → fetch (403 ladder; netguard vets every address at connect
    time; deadline, byte cap, redirects by hand) → convert (sniff; HEIC→JPEG; decode check) →
    cache.put

and turns every failure into `placeholder` (an SVG with the creator's initial).
"""
