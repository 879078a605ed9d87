namespace Cadasta.WorkerToolbox.Results;

/// <summary>
/// Celery 5.2.6's result tables, as SQLAlchemy 1.4 emits them from celery/backends/database/models.py
/// (<c>metadata.create_all</c>; reference DDL generated from the real models). Each object is created only when
/// missing, as SQLAlchemy's checkfirst does.
/// </summary>
internal static class CeleryResultSchema
{
    public const string TaskTable = "celery_taskmeta";
    public const string GroupTable = "celery_tasksetmeta";
    public const string TaskSequence = "task_id_sequence";
    public const string GroupSequence = "taskset_id_sequence";

    public const string PostgresTaskSequenceDdl = "CREATE SEQUENCE task_id_sequence START WITH 1";

    public const string PostgresTaskTableDdl = """
        CREATE TABLE celery_taskmeta (
        	id INTEGER NOT NULL, 
        	task_id VARCHAR(155), 
        	status VARCHAR(50), 
        	result BYTEA, 
        	date_done TIMESTAMP WITHOUT TIME ZONE, 
        	traceback TEXT, 
        	name VARCHAR(155), 
        	args BYTEA, 
        	kwargs BYTEA, 
        	worker VARCHAR(155), 
        	retries INTEGER, 
        	queue VARCHAR(155), 
        	PRIMARY KEY (id), 
        	UNIQUE (task_id)
        )
        """;

    public const string PostgresGroupSequenceDdl = "CREATE SEQUENCE taskset_id_sequence START WITH 1";

    public const string PostgresGroupTableDdl = """
        CREATE TABLE celery_tasksetmeta (
        	id INTEGER NOT NULL, 
        	taskset_id VARCHAR(155), 
        	result BYTEA, 
        	date_done TIMESTAMP WITHOUT TIME ZONE, 
        	PRIMARY KEY (id), 
        	UNIQUE (taskset_id)
        )
        """;

    public const string SqliteTaskTableDdl = """
        CREATE TABLE IF NOT EXISTS celery_taskmeta (
        	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
        	task_id VARCHAR(155), 
        	status VARCHAR(50), 
        	result BLOB, 
        	date_done DATETIME, 
        	traceback TEXT, 
        	name VARCHAR(155), 
        	args BLOB, 
        	kwargs BLOB, 
        	worker VARCHAR(155), 
        	retries INTEGER, 
        	queue VARCHAR(155), 
        	UNIQUE (task_id)
        )
        """;

    public const string SqliteGroupTableDdl = """
        CREATE TABLE IF NOT EXISTS celery_tasksetmeta (
        	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
        	taskset_id VARCHAR(155), 
        	result BLOB, 
        	date_done DATETIME, 
        	UNIQUE (taskset_id)
        )
        """;
}
