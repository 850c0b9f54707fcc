"""Password hashing for operators and subscribers: Argon2id with OWASP's parameters.

Django's ``Argon2PasswordHasher`` defaults to 100 MiB and 8 lanes per hash; OWASP's Password
Storage Cheat Sheet recommends, for Argon2id, 19 MiB of memory, 2 iterations and 1 degree of
parallelism as the minimum — about 20 ms of one core, against 230 ms for PBKDF2-SHA256 at Django's
1,000,000 iterations. The algorithm name stays ``argon2`` (hashes read ``argon2$argon2id$v=19$m=19456,t=2,p=1$…``),
so a hash whose parameters differ from these is rehashed at the next login, like any hash of a
hasher later in ``PASSWORD_HASHERS`` (PBKDF2): Django's ``check_password(…, setter=…)``.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id, m = 19 MiB, t = 2, p = 1 (OWASP)."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
