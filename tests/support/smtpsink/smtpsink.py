#!/usr/bin/python3
"""A real SMTP server on loopback for the mail tests (aiosmtpd, Debian python3-aiosmtpd).

Saves every accepted message as DIR/<n>.eml (the bytes as received) and appends one line per
event (RCPT <address> <reply code>, DATA <n>) to LOG, so tests can count delivery attempts.

  smtpsink.py --port P --dir DIR --log LOG [--cert C --key K] [--user U --password-file F] [--refuse]

--cert/--key: STARTTLS offered and required before MAIL.  --user/--password-file: AUTH
(PLAIN, LOGIN) required; the password is read from a file, never given on the command line.
--refuse: RCPT of any address containing "refuse" is answered 550.  Runs until SIGTERM.
"""
import argparse
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user")
    p.add_argument("--password-file")
    p.add_argument("--refuse", action="store_true")
    args = p.parse_args()
    lock = threading.Lock()
    count = [0]

    def log(line):
        with lock, open(args.log, "a") as f:
            f.write(line + "\n")

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if args.refuse and "refuse" in address:
                log("RCPT %s 550" % address)
                return "550 5.1.1 <%s>: mailbox unavailable" % address
            log("RCPT %s 250" % address)
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            with lock:
                count[0] += 1
                n = count[0]
            path = os.path.join(args.dir, "%d.eml" % n)
            with open(path + ".part", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            os.rename(path + ".part", path)  # a reader never sees half a message
            log("DATA %d from=%s to=%s" % (n, envelope.mail_from, ",".join(envelope.rcpt_tos)))
            return "250 Message accepted for delivery"

    kwargs = {}
    if args.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if args.user:
        with open(args.password_file) as f:
            password = f.read().rstrip("\n").encode()
        user = args.user.encode()

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login == user and auth_data.password == password
            log("AUTH %s %s" % (mechanism, "ok" if ok else "refused"))
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(args.cert))
    controller = Controller(Handler(), hostname="127.0.0.1", port=args.port, **kwargs)
    controller.start()
    log("READY")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.2):
        pass
    controller.stop()


if __name__ == "__main__":
    main()
