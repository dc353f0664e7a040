"""Sorted stream indexes: the export order of a resource, kept up to date.

An index holds (ts, id) pairs sorted, ts being the stream time Zendesk exports
by (generated_timestamp for tickets, updated_at for users and organizations,
timestamp for ticket events).  A page is found by bisection and read in
O(page); a mutation moves one pair by bisection (a memmove, not a re-sort),
so serving stays cheap on accounts of a million tickets while tests mutate
them during a scan.
"""

import bisect


class StreamIndex:
    def __init__(self, pairs=()):
        self.keys = sorted(pairs)

    def __len__(self):
        return len(self.keys)

    def add(self, key):
        keys = self.keys
        if not keys or keys[-1] < key:
            keys.append(key)
        else:
            bisect.insort(keys, key)

    def remove(self, key):
        keys = self.keys
        i = bisect.bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            del keys[i]
            return True
        return False

    def move(self, old, new):
        if old == new:
            return
        if old is not None:
            self.remove(old)
        if new is not None:
            self.add(new)

    def first_at(self, ts):
        """Position of the first pair whose ts is >= ts."""
        return bisect.bisect_left(self.keys, (ts,))

    def after(self, key):
        """Position of the first pair strictly after key."""
        return bisect.bisect_right(self.keys, key)

    def second(self, ts):
        """(start, end) positions of the pairs at second ts."""
        return (bisect.bisect_left(self.keys, (ts,)),
                bisect.bisect_left(self.keys, (ts + 1,)))
