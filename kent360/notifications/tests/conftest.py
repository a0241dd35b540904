from kent360.notifications.tests.servers import http_endpoint, netgsm, smtp_server

__all__ = ["http_endpoint", "netgsm", "smtp_server"]
