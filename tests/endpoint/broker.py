#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in for the tunnel broker's /nic/update, on 127.0.0.1 only.

broker.py DIR: answers requests from DIR/script, one answer a line, in order:
    CODE BODY...          HTTP status and the body's one line
    sleep SECS CODE BODY  the same after SECS seconds
    close                 close the connection without an answer
When the script runs out, the last line is repeated.  Each request is
appended to DIR/requests as "PATH?QUERY USER:PASSWORD" (Basic auth decoded),
and the listening port is written to DIR/port once the socket is bound.
"""
import base64
import http.server
import os
import sys
import threading
import time

DIR = sys.argv[1]
lock = threading.Lock()
served = 0


def next_answer():
    global served
    with lock:
        with open(os.path.join(DIR, "script")) as f:
            lines = [l.rstrip("\n") for l in f if l.strip()]
        line = lines[min(served, len(lines) - 1)]
        served += 1
        return line


class Broker(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        cred = "-"
        if auth.startswith("Basic "):
            cred = base64.b64decode(auth[6:]).decode("utf-8", "replace")
        with lock:
            with open(os.path.join(DIR, "requests"), "a") as f:
                f.write("%s %s\n" % (self.path, cred))
        words = next_answer().split(" ")
        if words[0] == "sleep":
            time.sleep(float(words[1]))
            words = words[2:]
        if words[0] == "close":
            self.close_connection = True
            return
        body = (" ".join(words[1:]) + "\n").encode()
        self.send_response(int(words[0]))
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Broker)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
srv.serve_forever()
