/**
 * A generic write-ahead log: opaque byte records, taken in through a memory-mapped intake or appended
 * durably with group commit, replayed after a crash, bounded on disk. {@link dev.tollgate.metering.wal.Wal}
 * is the whole API; configuration is {@link dev.tollgate.metering.wal.WalConfig}, and what recovery repaired
 * at open is a {@link dev.tollgate.metering.wal.RecoveryReport} of {@link dev.tollgate.metering.wal.Damage}s.
 *
 * <h2>Files in the directory</h2>
 * <ul>
 *   <li>{@code 00000000000000000001.wal}: segments, named by the sequence number of their first record
 *       (20 digits, so names sort like numbers). All but the last are sealed; new appends always go to a
 *       segment created at open or at rotation, never to one found on disk.
 *   <li>{@code checkpoint}: the committed position (16 bytes: magic {@code "TGCK"}, seq as int64,
 *       CRC32C of the first 12 bytes), replaced atomically (temp file, fsync, rename, fsync of the
 *       directory): before any segment is deleted, otherwise at most once a second, and at close. It may
 *       lag the position in memory by up to a second of records, which a crash only replays again.
 *   <li>{@code intake}: the intake ring, where {@code write} and {@code writeLater} store records until the
 *       writer moves them into a segment; a header of 64 bytes and a ring of twice {@code commit_size}
 *       (1 to 64 MiB), mapped shared into memory. Every block of it is written when it is created, so a store
 *       into the mapping never needs a new one (on a full disk that would be a SIGBUS). Never forced while the
 *       log runs; reset and forced at open. {@code intake.tmp}: one being created.
 *   <li>{@code lock}: held with an OS file lock while a {@code Wal} has the directory open.
 *   <li>{@code quarantine/}: damaged segments and intake files kept for inspection (not counted against the
 *       cap; an operator deletes them).
 * </ul>
 *
 * <h2>Segment format (version 1, all integers big-endian)</h2>
 * <pre>
 * header, 16 bytes:  magic int32 0x54475746 ("TGWF") | version int16 = 1 | reserved int16 = 0 | firstSeq int64
 * record, 24 + n:    length int32 (n) | crc32c int32 | seq int64 | appendedAtMillis int64 | payload n bytes
 * gap marker, 24:    length int32 = -1 | crc32c int32 | firstLostSeq int64 | lostCount int64
 * </pre>
 * Gap markers are written only by recovery, where it skipped bad bytes or quarantined a segment: they
 * keep the sequence numbers consecutive on disk, so a loss is reported once, and the next open neither
 * reports it again nor mistakes the record after it for damage.
 * The CRC32C covers the length, seq, time and payload (every byte of the record but itself), so a
 * damaged length is caught like a damaged payload. Sequence numbers increase by one from record to
 * record within and across segments. A number once acknowledged is never given again, even after every
 * segment was deleted or quarantined: the next is above the last record found, the checkpoint, and the
 * most records a quarantined segment could hold. (Only a torn record's number, never acknowledged, is
 * given again.)
 *
 * <h2>Intake ring format (version 1, all integers big-endian)</h2>
 * <pre>
 * header, 64 bytes:  magic int32 0x54474952 ("TGIR") | version int16 = 1 | reserved int16 = 0 | capacity int64
 *                    | epoch int64 | tail int64 | head int64 | 24 reserved bytes
 * record, 24 + n:    length int32 (n) | crc32c int32 | seq int64 | appendedAtMillis int64 | payload n bytes
 * wrap marker, 8:    length int32 = -1 | crc32c int32
 * </pre>
 * Positions are byte counts since the ring was last reset, never wrapped (64 bits), so their order is never
 * ambiguous; position p is at offset 64 + p mod capacity in the file. Records before {@code tail} are in a
 * segment (the writer moves it right after its write returns); {@code head} is where the next record goes,
 * moved with a release store after the record's bytes, so that a record before it is always whole in the
 * page cache. A record that does not fit before the end of the ring starts the next lap: a wrap marker marks
 * the rest when at least 24 bytes are left, otherwise the rest is skipped without one. A record has the
 * layout of a segment frame; its CRC32C covers the ring's {@code epoch} and the record's position (8 bytes
 * each, not stored in it), then the length, seq, time and payload; a wrap marker's covers epoch, position
 * and its length. A record left on the device from an earlier lap or an earlier run therefore never passes
 * for the one stored in its place since. The {@code seq} is the number the record gets in the log: given
 * when it is stored (in the order records are stored or queued, which is the order the writer writes them
 * in), checked again by the writer, and used by recovery to leave out the records a segment already has.
 *
 * <h2>Recovery at open</h2>
 * <ul>
 *   <li>Segments whose records are all committed (their successor starts at or below the checkpoint + 1)
 *       are deleted unread; the others are read record by record.
 *   <li><b>Torn tail</b>: in the last segment, bytes that hold no intact record and are followed by none
 *       are what a crash in the middle of a write leaves; that record's fsync never returned, so it was
 *       never acknowledged. The segment is truncated where the record began
 *       ({@link dev.tollgate.metering.wal.Damage.TornTail}); only that record goes. (A record from the
 *       intake torn there is still in the intake, whose tail had not moved yet: it is taken from there.)
 *   <li><b>Corrupt record</b>: bad bytes followed by an intact record (found by scanning forward for a
 *       record whose checksum matches and whose seq fits), or at the end of a sealed segment (sealed
 *       segments were forced before their successor existed, so their tail cannot be torn). The
 *       records before <i>and after</i> the bad bytes are kept, since each carries its own checksum; the
 *       original file is copied to {@code quarantine/}, and the segment is rewritten with a gap marker in
 *       place of the bad bytes. {@link dev.tollgate.metering.wal.Damage.CorruptRecord} names the file, the offset, the
 *       bytes skipped and how many sequence numbers were lost. A sealed segment that simply ends short
 *       of its successor's first seq is reported the same way, with 0 bytes skipped.
 *   <li><b>Corrupt header</b> (wrong magic, or a first seq that does not match the name): the file is
 *       moved whole to {@code quarantine/} ({@link dev.tollgate.metering.wal.Damage.CorruptHeader}); a
 *       segment of the same name holding one gap marker takes its place, covering up to the successor's
 *       first seq (for the last segment: as many as its size could have held).
 *       A header of a <i>newer version</i> is not damage: open fails and nothing is touched.
 *   <li><b>Corrupt checkpoint</b>: the position is taken as 0 (and written back) and every live record
 *       is replayed again; the consumer deduplicates (usage events by id).
 *   <li><b>The intake</b>, once the segments are sound and before the writer starts: read from its tail to its
 *       head; each record that checks out is written into a new segment, except those whose seq is not above
 *       the last in the segments (the process died after the writer wrote them and before it moved the tail:
 *       they are there already, and none comes twice); then the segment is forced, and only then the ring is
 *       reset (a new epoch, tail = head = 0) and forced. The first record that does not check out ends the
 *       reading, and it and everything after it are reported
 *       ({@link dev.tollgate.metering.wal.Damage.IntakeTail}): a crash of the process leaves none, a power
 *       cut can. {@link dev.tollgate.metering.wal.RecoveryReport} counts the records taken and left out. A
 *       file that is not a ring of ours is moved to {@code quarantine/} and replaced by an empty ring
 *       ({@link dev.tollgate.metering.wal.Damage.CorruptIntake}); one of a newer version stops the open,
 *       untouched; one of another size ({@code commit_size} changed) is read, then replaced. A missing one is
 *       created.
 * </ul>
 *
 * <h2>Durability and group commit</h2>
 * {@code write} and {@code writeLater} copy their record into the intake under the queue lock and return a
 * future that is already complete: no system call, no other thread. The record survives a crash of the
 * process (SIGKILL, an OOM kill) from then on, because bytes stored into a shared mapping are in the page
 * cache at once, exactly like bytes passed to {@code write(2)}. It is durable against a power cut once the
 * writer has put it in a segment and forced it: at the next group commit, within {@code commit_interval}.
 * The intake itself is never forced while the log runs, so after a power cut it holds whatever pages the
 * device had; recovery takes what checks out of it. When the intake has no room, the record is queued
 * instead: a {@code write} wakes the writer and completes once its record is written, a {@code writeLater}
 * does not and goes with the next batch, within 1 ms. A record goes into the intake only while nothing is
 * queued, so that writing the intake's records before the queue's keeps the order they were stored in.
 *
 * <p>One writer thread takes the intake's records and every queued record together, writes them with
 * consecutive sequence numbers at once, moves the intake's tail past its records, then forces the segment
 * ({@code fdatasync}) at most once per {@code commit_interval}, or sooner when {@code commit_bytes} wait
 * (in the intake and the queue together), and only then publishes the records as durable and completes the
 * futures of {@code append}s. It is not woken for each record stored in the intake: only when it sleeps with
 * nothing to do, when {@code commit_bytes} wait, and for a queued {@code write}. At rotation the full segment
 * is forced before the next one is created; a new segment's header and directory entry are forced before a
 * record goes in. A failed write or fsync stops the log (no retry of a failed fsync); the intake keeps the
 * records it held for the next open.
 *
 * <h2>Disk cap</h2>
 * Every record reserves its frame's bytes before it is stored in the intake or queued; one that would take
 * the live segments past {@code max_disk_bytes} fails at once with
 * {@link dev.tollgate.metering.wal.WalFullException} (the caller answers 503). Segment headers written at
 * rotation (16 bytes) are charged without refusal, so the total may pass the cap by one header; so are the
 * records recovery takes from the intake (they were reserved by the run that stored them). The intake file
 * itself (twice {@code commit_size}) is not counted.
 * {@link dev.tollgate.metering.wal.Wal#hasRoom} refuses earlier, {@code admission_headroom_bytes} below the
 * cap, so that usage of calls admitted just before the cap was reached still fits.
 *
 * <h2>Memory</h2>
 * The sequence number and append time of each uncommitted record are kept for
 * {@link dev.tollgate.metering.wal.Wal#lag} (16 bytes each), plus one index entry per 128 records per
 * segment; both are bounded by the disk cap. The intake is mapped whole: up to its size in page cache
 * shared with its file.
 */
package dev.tollgate.metering.wal;
