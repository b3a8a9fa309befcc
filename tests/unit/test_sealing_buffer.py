"""Documents sealed into a buffer kept by the worker thread (issue 11): each blob holds exactly
its own ciphertext, whatever the thread sealed before it, and decrypts to the plaintext."""

from __future__ import annotations

import hashlib
import os

import pytest

from procurement.bids import sealing, services
from procurement.core import crypto
from procurement.core.storage import FileStore


def test_encrypt_into_writes_what_encrypt_would_and_decrypts():
    key = crypto.new_key()
    plaintext = "投标文件".encode() * 1000
    out = bytearray(crypto.sealed_size(len(plaintext)))
    crypto.encrypt_into(key, plaintext, b"ctx", memoryview(out))
    assert len(out) == len(crypto.encrypt(key, plaintext, b"ctx"))
    assert crypto.decrypt(key, bytes(out), b"ctx") == plaintext
    with pytest.raises(crypto.SealBroken):
        crypto.decrypt(key, bytes(out), b"another context")


def test_encrypt_into_refuses_a_buffer_of_the_wrong_size():
    key = crypto.new_key()
    with pytest.raises(ValueError):
        crypto.encrypt_into(key, b"abc", b"ctx", memoryview(bytearray(crypto.sealed_size(3) + 1)))


def test_a_smaller_document_after_a_larger_one_stores_only_its_own_bytes(tmp_path):
    store = FileStore(tmp_path, max_bytes=10_000_000)
    key = crypto.new_key()
    large = b"%PDF-1.4\n" + os.urandom(300_000)
    small = b"%PDF-1.4\n" + os.urandom(1_000)
    blobs = []
    for data in (large, small, large[:50_000]):
        sha = hashlib.sha256(data).hexdigest()
        blob = services._seal_and_store(store, key, data, 7, sha)
        stored = store.read(blob)
        assert hashlib.sha256(stored).hexdigest() == blob  # named by its own content
        assert len(stored) == crypto.sealed_size(len(data))
        assert crypto.decrypt(key, stored, sealing.bid_context(7, f"doc:{sha}")) == data
        blobs.append(blob)
    assert len(set(blobs)) == 3


def test_a_document_over_the_kept_size_gets_a_buffer_of_its_own(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "_KEPT_BUFFER_BYTES", 10_000)
    monkeypatch.setattr(services, "_buffers", type(services._buffers)())
    store = FileStore(tmp_path, max_bytes=10_000_000)
    key = crypto.new_key()
    data = b"%PDF-1.4\n" + os.urandom(20_000)
    blob = services._seal_and_store(store, key, data, 3, "a" * 64)
    assert getattr(services._buffers, "sealed", None) is None  # not kept: over the size
    assert crypto.decrypt(key, store.read(blob), sealing.bid_context(3, f"doc:{'a' * 64}")) == data
