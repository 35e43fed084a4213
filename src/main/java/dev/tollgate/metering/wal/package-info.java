/**
 * A generic write-ahead log: opaque byte records, appended durably with group commit, replayed after a
 * crash, bounded on disk. {@link dev.tollgate.metering.wal.Wal} is the whole API; configuration is
 * {@link dev.tollgate.metering.wal.WalConfig}, and what recovery repaired at open is a
 * {@link dev.tollgate.metering.wal.RecoveryReport} of {@link dev.tollgate.metering.wal.Damage}s.
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
 *   <li>{@code lock}: held with an OS file lock while a {@code Wal} has the directory open.
 *   <li>{@code quarantine/}: damaged segments kept for inspection (not counted against the cap; an
 *       operator deletes them).
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
 * <h2>Recovery at open</h2>
 * <ul>
 *   <li>Segments whose records are all committed (their successor starts at or below the checkpoint + 1)
 *       are deleted unread; the others are read record by record.
 *   <li><b>Torn tail</b>: in the last segment, bytes that hold no intact record and are followed by none
 *       are what a crash in the middle of a write leaves; that record's fsync never returned, so it was
 *       never acknowledged. The segment is truncated where the record began
 *       ({@link dev.tollgate.metering.wal.Damage.TornTail}); only that record goes.
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
 * </ul>
 *
 * <h2>Durability and group commit</h2>
 * One writer thread drains every queued append and writes the records with consecutive sequence numbers
 * at once ({@code write}: they survive a crash of the process from then on, and a {@code write}'s future
 * completes; a record nobody waits for, {@code writeLater}, goes with the next batch, within 1 ms), then
 * forces the segment ({@code fdatasync}) at most once per {@code commit_interval}, or
 * sooner when {@code commit_bytes} are waiting, and only then publishes the records as durable and
 * completes the futures of {@code append}s. At rotation the full segment is forced before the next one is
 * created; a new segment's header and directory entry are forced before a record goes in. A failed write
 * or fsync stops the log (no retry of a failed fsync).
 *
 * <h2>Disk cap</h2>
 * Every append reserves its record's bytes before it is queued; an append that would take the live
 * segments past {@code max_disk_bytes} fails at once with
 * {@link dev.tollgate.metering.wal.WalFullException} (the caller answers 503). Segment headers written at
 * rotation (16 bytes) are charged without refusal, so the total may pass the cap by one header.
 * {@link dev.tollgate.metering.wal.Wal#hasRoom} refuses earlier, {@code admission_headroom_bytes} below the
 * cap, so that usage of calls admitted just before the cap was reached still fits.
 *
 * <h2>Memory</h2>
 * The sequence number and append time of each uncommitted record are kept for
 * {@link dev.tollgate.metering.wal.Wal#lag} (16 bytes each), plus one index entry per 128 records per
 * segment; both are bounded by the disk cap.
 */
package dev.tollgate.metering.wal;
