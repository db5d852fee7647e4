from django.apps import AppConfig


class ImageProxyConfig(AppConfig):
    name = "imageproxy"
    verbose_name = "Image proxy"
