from kent360.notifications.tests.servers import smtp_server

__all__ = ["smtp_server"]
