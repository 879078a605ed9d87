using System.Data;
using System.Data.Common;
using Cadasta.WorkerToolbox.Monitoring;

namespace Cadasta.WorkerToolbox.Tests.Monitoring;

/// <summary>What the store does when the database drops its connections (a server restart).</summary>
public sealed class StoreConnectionFailureTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();
    private int _deadConnectionsLeft;
    private int _poolClears;

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task A_read_clears_the_pool_and_tries_again()
    {
        await using var store = CreateStore();
        await store.EnsureSchemaAsync();
        await store.AddIfAbsentAsync([PlatformMessages.Record("t1")]);
        _deadConnectionsLeft = 2;

        var found = await store.FindAsync("t1");

        Assert.NotNull(found);
        Assert.Equal(2, _poolClears);
    }

    [Fact]
    public async Task A_read_gives_up_after_three_attempts()
    {
        await using var store = CreateStore();
        await store.EnsureSchemaAsync();
        _deadConnectionsLeft = 3;

        await Assert.ThrowsAsync<DeadConnectionException>(() => store.ListRecentAsync(5));
        Assert.Equal(2, _poolClears);
    }

    [Fact]
    public async Task A_write_clears_the_pool_and_leaves_the_retry_to_the_monitor()
    {
        await using var store = CreateStore();
        await store.EnsureSchemaAsync();
        _deadConnectionsLeft = 1;

        await Assert.ThrowsAsync<DeadConnectionException>(() => store.AddIfAbsentAsync([PlatformMessages.Record("t1")]));
        var added = await store.AddIfAbsentAsync([PlatformMessages.Record("t1")]);

        Assert.Equal(1, _poolClears);
        Assert.Equal(["t1"], added);
    }

    private SqlTaskRecordStore CreateStore() => new(
        SqlDialect.Sqlite,
        () => Interlocked.Decrement(ref _deadConnectionsLeft) >= 0 ? new DeadConnection() : _database.CreateConnection(),
        clearPool: () => Interlocked.Increment(ref _poolClears));

    private sealed class DeadConnectionException() : DbException("terminating connection due to administrator command (simulated)")
    {
        public override bool IsTransient => true;
    }

    /// <summary>A pooled connection whose server went away: it fails on first use.</summary>
    private sealed class DeadConnection : DbConnection
    {
        [System.Diagnostics.CodeAnalysis.AllowNull]
        public override string ConnectionString { get; set; } = string.Empty;

        public override string Database => "dead";

        public override string DataSource => "dead";

        public override string ServerVersion => "0";

        public override ConnectionState State => ConnectionState.Closed;

        public override void Open() => throw new DeadConnectionException();

        public override void Close()
        {
        }

        public override void ChangeDatabase(string databaseName) => throw new NotSupportedException();

        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => throw new NotSupportedException();

        protected override DbCommand CreateDbCommand() => throw new NotSupportedException();
    }
}
