"""An independent implementation of bactor's node-to-node protocol (proto/bactor_remote.proto),
in Python with grpcio: it plays a node that talks to a bactor node.

Usage: python3 python_node.py <generated-code dir> <bactor node address> <secret>

It listens on 127.0.0.1 (any port) as a node would, then on a stream to the bactor node: the
handshake, a lookup of the actor named `echo`, a tell (no sender) and an ask (its sender is an
actor of this node: the reply comes back on a stream the bactor node opens to this one). It
prints one JSON object per step and exits 0 when every step passed, within 30 s.
"""
import json
import queue
import random
import sys
from concurrent import futures

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
import bactor_remote_pb2 as pb  # noqa: E402
import bactor_remote_pb2_grpc as pbg  # noqa: E402

ADDRESS, SECRET = sys.argv[2], sys.argv[3]
INCARNATION = random.randint(1, 2**32 - 1)
ASK_SLOT = (0 << 24) | 0x800001  # thread 0, an ask-slot id (the bit bactor sets on ask slots)


def report(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)


# ---- a minimal MessagePack subset: maps with string keys, short strings, small ints ----------
def mp_pack(value):
    if isinstance(value, dict):
        out = bytes([0x80 | len(value)])
        for k, v in value.items():
            out += mp_pack(k) + mp_pack(v)
        return out
    if isinstance(value, str):
        b = value.encode()
        return bytes([0xA0 | len(b)]) + b
    if isinstance(value, int) and 0 <= value < 128:
        return bytes([value])
    raise ValueError(value)


def mp_unpack(b, i=0):
    t = b[i]
    if t < 0x80:
        return t, i + 1
    if 0x80 <= t <= 0x8F or t == 0xDE:
        n, i = (t & 0x0F, i + 1) if t != 0xDE else (int.from_bytes(b[i + 1 : i + 3], "big"), i + 3)
        out = {}
        for _ in range(n):
            k, i = mp_unpack(b, i)
            out[k], i = mp_unpack(b, i)
        return out, i
    if 0xA0 <= t <= 0xBF or t == 0xD9:
        n, i = (t & 0x1F, i + 1) if t != 0xD9 else (b[i + 1], i + 2)
        return b[i : i + n].decode(), i + n
    if t == 0xCC:
        return b[i + 1], i + 2
    raise ValueError(hex(t))


# ---- this node's server: the bactor node opens its streams here to answer ----------------------
replies = queue.Queue()


class Node(pbg.GatewayServicer):
    def Connect(self, frames, context):
        hello = None
        for frame in frames:
            kind = frame.WhichOneof("body")
            if hello is None:
                hello = frame.hello
                yield pb.Frame(welcome=pb.Welcome(protocol_version=1, address=listen_address, incarnation=INCARNATION, max_message_bytes=4 << 20))
            elif kind == "batch":
                for e in frame.batch.envelopes:
                    replies.put((e.target, mp_unpack(e.body)[0], e.sender.incarnation))
            elif kind == "system_batch":
                yield pb.Frame(ack=pb.Ack(seq=frame.system_batch.messages[-1].seq))
            elif kind == "heartbeat":
                yield frame


server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
pbg.add_GatewayServicer_to_server(Node(), server)
port = server.add_insecure_port("127.0.0.1:0")
listen_address = f"127.0.0.1:{port}"
server.start()

# ---- this node's stream to the bactor node ---------------------------------------------------
outgoing = queue.Queue()


def frames():
    while True:
        f = outgoing.get()
        if f is None:
            return
        yield f


channel = grpc.insecure_channel(ADDRESS)
stub = pbg.GatewayStub(channel)
incoming = stub.Connect(frames(), timeout=30)
outgoing.put(pb.Frame(hello=pb.Hello(protocol_version=1, address=listen_address, incarnation=INCARNATION, lane=pb.LANE_USER, secret=SECRET, max_message_bytes=4 << 20)))
first = next(incoming)
if first.WhichOneof("body") != "welcome":
    report("handshake", ok=False, got=str(first))
    sys.exit(1)
node = first.welcome.incarnation
report("handshake", ok=True, incarnation=node)

outgoing.put(pb.Frame(lookup=pb.LookupRequest(id=1, name="echo")))
reply = next(incoming).lookup_reply
report("lookup", ok=reply.HasField("ref"), kind=reply.ref.kind)
echo = reply.ref

# A tell with no sender, then an ask whose sender is this node's ask slot.
ping = lambda n: pb.Envelope(target=echo.id, target_incarnation=node, body=mp_pack({"type": "ping", "n": n}))
asked = ping(7)
asked.sender.CopyFrom(pb.Ref(incarnation=INCARNATION, id=ASK_SLOT, kind=""))
outgoing.put(pb.Frame(batch=pb.Batch(envelopes=[ping(6), asked])))
target, body, from_node = replies.get(timeout=20)
report("ask", ok=target == ASK_SLOT and from_node == node and body == {"pong": 7, "seen": 2}, reply=body)
# Close everything this node opened, so the interpreter exits at once (a channel left open can
# hold a grpcio process at exit: seen once in CI, killed by the test's 45 s bound).
outgoing.put(None)
incoming.cancel()
channel.close()
server.stop(0).wait(5)
