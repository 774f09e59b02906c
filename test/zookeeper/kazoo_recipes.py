"""kazoo's recipes against nzk's ZooKeeper port: Lock, Election, Barrier, Counter and Queue, plus
DataWatch and ChildrenWatch. Prints one "ok <name>" line per recipe; any failure raises and exits 1.
Run with Debian's /usr/bin/python3 and python3-kazoo: python3 kazoo_recipes.py 127.0.0.1:2181"""
import sys
import threading

from kazoo.client import KazooClient
from kazoo.exceptions import NoNodeError

hosts = sys.argv[1]


def client():
    zk = KazooClient(hosts=hosts, timeout=10)
    zk.start(timeout=15)
    return zk


a, b = client(), client()

# Lock: b cannot take what a holds, then takes it once a lets go
lock_a, lock_b = a.Lock("/kazoo/lock", "a"), b.Lock("/kazoo/lock", "b")
assert lock_a.acquire(timeout=5)
assert not lock_b.acquire(blocking=False)
assert lock_b.contenders() == ["a"]
lock_a.release()
assert lock_b.acquire(timeout=5)
lock_b.release()
print("ok lock")

# Election: the first contender leads; when it returns, the second does
order = []
first_leads, release_first = threading.Event(), threading.Event()


def lead(name, hold=None):
    order.append(name)
    if hold is not None:
        first_leads.set()
        hold.wait(10)


ta = threading.Thread(target=lambda: a.Election("/kazoo/election", "a").run(lead, "a", release_first))
ta.start()
assert first_leads.wait(10)
tb = threading.Thread(target=lambda: b.Election("/kazoo/election", "b").run(lead, "b"))
tb.start()
release_first.set()
ta.join(10)
tb.join(10)
assert order == ["a", "b"], order
print("ok election")

# Barrier: a waiter is held until the barrier is removed
barrier = a.Barrier("/kazoo/barrier")
barrier.create()
passed = []
waiter = threading.Thread(target=lambda: passed.append(b.Barrier("/kazoo/barrier").wait(10)))
waiter.start()
assert not b.Barrier("/kazoo/barrier").wait(0.3)
barrier.remove()
waiter.join(10)
assert passed == [True], passed
print("ok barrier")

# Counter: versioned read-modify-write from two clients at once
ca, cb = a.Counter("/kazoo/counter"), b.Counter("/kazoo/counter")


def bump(counter, n):
    for _ in range(n):
        counter += 1


threads = [threading.Thread(target=bump, args=(c, 25)) for c in (ca, cb)]
for t in threads:
    t.start()
for t in threads:
    t.join(30)
ca -= 10
assert ca.value == 40 and cb.value == 40, (ca.value, cb.value)
print("ok counter")

# Queue: first in, first out across clients, with priorities
qa, qb = a.Queue("/kazoo/queue"), b.Queue("/kazoo/queue")
for item in (b"one", b"two", b"three"):
    qa.put(item)
qa.put(b"urgent", priority=10)
assert len(qb) == 4
got = [qb.get() for _ in range(4)]
assert got == [b"urgent", b"one", b"two", b"three"], got
assert qb.get() is None
lq = a.LockingQueue("/kazoo/lqueue")
lq.put(b"job")
assert b.LockingQueue("/kazoo/lqueue").get(5) == b"job"
print("ok queue")

# DataWatch and ChildrenWatch: every change is reported
seen_data, seen_children = [], []
changed, grown = threading.Event(), threading.Event()
a.ensure_path("/kazoo/watched")


@a.DataWatch("/kazoo/watched")
def on_data(data, stat):
    seen_data.append(data)
    if data == b"v2":
        changed.set()


@a.ChildrenWatch("/kazoo/watched")
def on_children(children):
    seen_children.append(sorted(children))
    if len(children) == 2:
        grown.set()


b.set("/kazoo/watched", b"v1")
b.set("/kazoo/watched", b"v2")
b.create("/kazoo/watched/x")
b.create("/kazoo/watched/y", ephemeral=True)
assert changed.wait(10) and grown.wait(10), (seen_data, seen_children)
assert seen_data[-1] == b"v2" and seen_children[-1] == ["x", "y"]
print("ok watches")

# a transaction and an ephemeral that leaves with its session
tx = a.transaction()
tx.create("/kazoo/tx", b"t")
tx.check("/kazoo/watched", 2)
assert all(r is True or isinstance(r, str) for r in tx.commit())
b.stop()
b.close()
assert a.exists("/kazoo/watched/y") is None
try:
    a.get("/kazoo/nothing")
    raise AssertionError("expected NoNodeError")
except NoNodeError:
    pass
print("ok session")

a.stop()
a.close()
