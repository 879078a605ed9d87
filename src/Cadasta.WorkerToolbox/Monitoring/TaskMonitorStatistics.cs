namespace Cadasta.WorkerToolbox.Monitoring;

/// <summary>What a <see cref="TaskMonitor"/> did since it started.</summary>
/// <param name="Recorded">Tasks newly recorded.</param>
/// <param name="AlreadyRecorded">Messages for a task id recorded before (retries, chord polls, redeliveries).</param>
/// <param name="Malformed">Messages that could not be read as a task; acknowledged and dropped.</param>
/// <param name="DatabaseFailures">Batches whose write failed; their messages went back to the queue.</param>
public sealed record TaskMonitorStatistics(long Recorded, long AlreadyRecorded, long Malformed, long DatabaseFailures);
