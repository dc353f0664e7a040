/*-------------------------------------------------------------------------
 *
 * zd_sync_target.c
 *		  The target table of a sync: created on first use, or adopted when
 *		  compatible, and the statements that write it.
 *
 * The target has the source's columns, same names and types, and a
 * primary key (or a plain unique index) on id; a target that exists is
 * checked for exactly that, extra columns allowed.  Every name in the SQL
 * built here goes through quote_identifier, so a table or column name
 * cannot inject SQL.  The statements run as the caller, with the caller's
 * privileges on the target, which are checked before the sync's
 * checkpoint row is written: a role cannot claim the sync of a table it
 * may not write.  A target is a permanent, logged, unpartitioned table,
 * and the source a permanent foreign table: the checkpoint row refers to
 * both for longer than a session, and trusts the target to keep what it
 * was given.  The quarantine table is created on first use too, or
 * checked for the columns and the unique index it needs.
 *
 * IDENTIFICATION
 *		  src/sync/zd_sync_target.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "parser/scansup.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/regproc.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "fdw/zd_columns.h"
#include "zd_sync.h"

/* A name as messages show it: a long one cut short. */
static const char *
shown_name(const char *name)
{
	size_t		len = strlen(name);

	if (len <= 128)
		return name;
	return psprintf("%s...", pnstrdup(name, pg_mbcliplen(name, len, 64)));
}

/*
 * The bytes of the longest identifier of a dotted name as given, before
 * PostgreSQL would cut it to NAMEDATALEN - 1 (a doubled quote inside quotes
 * counts once).
 */
static size_t
longest_part(const char *name)
{
	size_t		longest = 0;
	size_t		len = 0;
	bool		quoted = false;

	for (const char *p = name; *p != '\0'; p++)
	{
		if (quoted && *p == '"' && p[1] == '"')
		{
			len++;
			p++;
		}
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '.')
		{
			longest = Max(longest, len);
			len = 0;
		}
		else if (quoted || !scanner_isspace(*p))
			len++;
	}
	return Max(longest, len);
}

/*
 * resolve_table_name
 *		The schema a table name given as text (what: "sync target",
 *		"quarantine table") is in: where the search path finds it, or else
 *		where it would be created; and its table name.  A name that is not
 *		SQL syntax, or too long to be kept whole, is an error, and so is a
 *		temporary schema unless temp_ok.
 */
static Oid
resolve_table_name(const char *name, const char *what, bool temp_ok, char **relname)
{
	char	   *copy = pstrdup(name);
	List	   *parts;
	List	   *names = NIL;
	ListCell   *lc;
	RangeVar   *rv;
	Oid			relid;
	Oid			nsp;

	if (!SplitIdentifierString(copy, '.', &parts) || parts == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid %s name \"%s\"", what, shown_name(name)),
				 errhint("Give a table name, schema-qualified or not, as SQL writes it: mirror.tickets, or mirror.\"Tickets 2026\" for capitals, spaces and other characters.")));
	if (longest_part(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("%s name \"%s\" is too long", what, shown_name(name)),
				 errdetail("A schema or table name is at most %d bytes.", NAMEDATALEN - 1)));
	foreach(lc, parts)
		names = lappend(names, makeString(lfirst(lc)));
	rv = makeRangeVarFromNameList(names);
	relid = RangeVarGetRelid(rv, NoLock, true);
	nsp = OidIsValid(relid) ? get_rel_namespace(relid) : RangeVarGetCreationNamespace(rv);
	if (!temp_ok && isAnyTempNamespace(nsp))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("a %s cannot be a temporary table", what),
				 errdetail("Its checkpoint in zendesk_fdw.sync_state outlives the session; the table would not."),
				 errhint("Name a table in a permanent schema.")));
	*relname = rv->relname;
	return nsp;
}

/*
 * zd_sync_target_namespace
 *		The schema a target name (possibly qualified) is in: where the
 *		search path finds it, or else where it would be created.  And its
 *		table name.
 */
Oid
zd_sync_target_namespace(const char *target, char **relname)
{
	return resolve_table_name(target, "sync target", false, relname);
}

/*
 * Does rel have a unique index on exactly the nkeys columns keys (in any
 * order), usable by ON CONFLICT?
 */
static bool
has_unique_index_on(Relation rel, int nkeys, const AttrNumber *keys)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	bool		found = false;

	foreach(lc, indexes)
	{
		HeapTuple	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index index;
		bool		same = true;

		if (!HeapTupleIsValid(tuple))
			continue;
		index = (Form_pg_index) GETSTRUCT(tuple);
		for (int i = 0; i < nkeys && same && index->indnkeyatts == nkeys; i++)
		{
			same = false;
			for (int k = 0; k < nkeys; k++)
				same = same || index->indkey.values[i] == keys[k];
		}
		if (index->indisunique && index->indimmediate && index->indisvalid &&
			index->indnkeyatts == nkeys && same &&
			heap_attisnull(tuple, Anum_pg_index_indpred, NULL) &&
			heap_attisnull(tuple, Anum_pg_index_indexprs, NULL))
			found = true;
		ReleaseSysCache(tuple);
	}
	list_free(indexes);
	return found;
}

/*
 * The caller must hold every privilege of mask on the table (what: "sync
 * target", "quarantine table"); needs names them for the message.
 */
static void
check_privileges(Oid relid, const char *qualified, const char *what, AclMode mask,
				 const char *needs)
{
	if (pg_class_aclmask(relid, GetUserId(), mask, ACLMASK_ALL) != mask)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for %s %s", what, qualified),
				 errdetail("A sync needs %s on it.", needs)));
}

/*
 * The privileges a sync needs on its target: SELECT and INSERT to append
 * (ticket events), and UPDATE and DELETE too for the others.
 */
static void
target_privileges(Oid relid, const char *qualified, bool append_only)
{
	if (append_only)
		check_privileges(relid, qualified, "sync target", ACL_SELECT | ACL_INSERT,
						 "SELECT and INSERT");
	else
		check_privileges(relid, qualified, "sync target",
						 ACL_SELECT | ACL_INSERT | ACL_UPDATE | ACL_DELETE,
						 "SELECT, INSERT, UPDATE and DELETE");
}

/* Check that an existing target can take the source's rows. */
static void
check_adoptable(Oid relid, const ZdSyncTarget *out, Relation source)
{
	Relation	rel = relation_open(relid, AccessShareLock);
	TupleDesc	srcdesc = RelationGetDescr(source);
	StringInfoData problems;

	initStringInfo(&problems);
	if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("sync target %s is a partitioned table", out->qualified),
				 errdetail("A sync tells an inserted row from an updated one by its xmax, which INSERT ... ON CONFLICT on a partitioned table cannot return."),
				 errhint("Mirror into a plain table, or into one partition.")));
	if (rel->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("sync target %s is not a table", out->qualified)));
	if (rel->rd_rel->relpersistence == RELPERSISTENCE_UNLOGGED)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("sync target %s is an unlogged table", out->qualified),
				 errdetail("A crash empties an unlogged table but leaves its checkpoint in zendesk_fdw.sync_state, so the mirror would miss rows without a word."),
				 errhint("ALTER TABLE %s SET LOGGED, or name another table.", out->qualified)));
	target_privileges(relid, out->qualified, out->stream_param < 0);

	for (int p = 0; p < out->nparams; p++)
	{
		Form_pg_attribute att = TupleDescAttr(srcdesc, out->param_att[p]);
		const char *name = NameStr(att->attname);
		AttrNumber	attnum = get_attnum(relid, name);

		if (attnum == InvalidAttrNumber)
			appendStringInfo(&problems, "%scolumn %s is missing", problems.len ? "; " : "",
							 quote_identifier(name));
		else if (get_atttype(relid, attnum) != att->atttypid)
			appendStringInfo(&problems, "%scolumn %s is %s, not %s",
							 problems.len ? "; " : "", quote_identifier(name),
							 format_type_be(get_atttype(relid, attnum)),
							 format_type_be(att->atttypid));
		else if (p == out->id_param && !has_unique_index_on(rel, 1, &attnum))
			appendStringInfo(&problems, "%scolumn id has no primary key or unique index",
							 problems.len ? "; " : "");
	}
	if (problems.len > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("table %s cannot be the target of a sync of %s",
						out->qualified, RelationGetRelationName(source)),
				 errdetail("%s.", problems.data),
				 errhint("A target has the columns of the source, with the same types, and a primary key on id; extra columns are allowed.  Name a new table to have one created, or, when columns of custom fields are missing, sync with add_columns => true.")));
	relation_close(rel, AccessShareLock);
}

static void
create_target(Relation source, ZdSyncTarget *out)
{
	TupleDesc	desc = RelationGetDescr(source);
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE TABLE %s (", out->qualified);
	for (int p = 0; p < out->nparams; p++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, out->param_att[p]);

		appendStringInfo(&sql, "%s%s %s", p > 0 ? ", " : "",
						 quote_identifier(NameStr(att->attname)),
						 format_type_with_typemod(att->atttypid, att->atttypmod));
	}
	appendStringInfo(&sql, ", PRIMARY KEY (%s))",
					 quote_identifier(NameStr(TupleDescAttr(desc, out->param_att[out->id_param])->attname)));
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not create the sync target: %s", sql.data);
}

/* Ticket events never change once exported: a sync appends them by id. */
static bool
is_append_only(const ZdResource *resource)
{
	return strcmp(resource->name, "ticket_events") == 0;
}

/*
 * zd_sync_target_check_privileges
 *		The caller must hold on an existing target what a sync of resource
 *		into it needs (sync_reset asks the same as a sync).
 */
void
zd_sync_target_check_privileges(Oid relid, const ZdResource *resource)
{
	target_privileges(relid,
					  quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												 get_rel_name(relid)),
					  is_append_only(resource));
}

/*
 * key_params
 *		The columns of the source a sync keys on: the bigint id, and the
 *		stream time that keeps the newer version of a record (not for ticket
 *		events, which never change once exported and are appended by id).
 *		Raises an error naming the one missing.
 */
static void
key_params(Relation source, const ZdResource *resource, const ZdColumn *columns,
		   int ncolumns, int *id_param, int *stream_param)
{
	bool		append_only = is_append_only(resource);

	*id_param = -1;
	*stream_param = -1;
	for (int c = 0; c < ncolumns; c++)
	{
		if (columns[c].source != ZD_SRC_KEY)
			continue;
		if (strcmp(columns[c].key, "id") == 0 && columns[c].typid == INT8OID)
			*id_param = c;
		else if (strcmp(columns[c].key, resource->stream_time_key) == 0 && !append_only)
			*stream_param = c;
	}
	if (*id_param < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
				 errmsg("foreign table \"%s\" has no bigint column for the key \"id\"",
						RelationGetRelationName(source)),
				 errhint("A sync upserts by id: add the column id bigint to the foreign table.")));
	if (*stream_param < 0 && !append_only)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_COLUMN_NAME_NOT_FOUND),
				 errmsg("foreign table \"%s\" has no column for the key \"%s\"",
						RelationGetRelationName(source), resource->stream_time_key),
				 errhint("A sync keeps the newer version of a record by %s: add that column to the foreign table.",
						 resource->stream_time_key)));
}

/*
 * zd_sync_target_check_source
 *		Can the source be mirrored at all (a permanent table, an id to upsert
 *		by, a stream time)?  Checked before any request is made.
 */
void
zd_sync_target_check_source(Relation source, const ZdResource *resource)
{
	int			ncolumns;
	ZdColumn   *columns = zd_columns_plan(source, resource, &ncolumns);
	int			id_param;
	int			stream_param;

	if (source->rd_rel->relpersistence == RELPERSISTENCE_TEMP)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("the source of a sync cannot be a temporary foreign table"),
				 errdetail("Its checkpoint in zendesk_fdw.sync_state outlives the session; \"%s\" would not.",
						   RelationGetRelationName(source)),
				 errhint("Create the foreign table in a permanent schema.")));
	key_params(source, resource, columns, ncolumns, &id_param, &stream_param);
}

/*
 * zd_sync_target_prepare
 *		Work out the parameters of the source's rows, then create the target
 *		or check the one that exists.  Returns the target's OID.
 */
Oid
zd_sync_target_prepare(Relation source, const ZdResource *resource,
					   const char *target, ZdSyncTarget *out, bool *created)
{
	char	   *relname;
	Oid			nsp = zd_sync_target_namespace(target, &relname);
	int			ncolumns;
	ZdColumn   *columns = zd_columns_plan(source, resource, &ncolumns);
	Oid			relid;

	memset(out, 0, sizeof(*out));
	out->qualified = psprintf("%s.%s", quote_identifier(get_namespace_name(nsp)),
							  quote_identifier(relname));
	out->nparams = ncolumns;
	out->param_att = palloc(sizeof(int) * Max(ncolumns, 1));
	out->param_types = palloc(sizeof(Oid) * Max(ncolumns, 1));
	for (int c = 0; c < ncolumns; c++)
	{
		out->param_att[c] = columns[c].index;
		out->param_types[c] = columns[c].typid;
	}
	key_params(source, resource, columns, ncolumns, &out->id_param, &out->stream_param);
	out->snapshot = resource->stream == ZD_STREAM_LIST;

	relid = get_relname_relid(relname, nsp);
	*created = !OidIsValid(relid);
	if (*created)
	{
		create_target(source, out);
		relid = get_relname_relid(relname, nsp);
	}
	else
		check_adoptable(relid, out, source);
	out->relid = relid;
	return relid;
}

static SPIPlanPtr
save_plan(const char *sql, int nargs, Oid *types)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql,
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plan;
}

/*
 * zd_sync_target_plan
 *		The saved statements: an upsert where the newer version wins by
 *		stream time (compared with >=, so a repeated page rewrites the same
 *		row), or, for ticket events (no stream time parameter), an insert of
 *		ids not there yet; and the removal of a deleted record.  Names are taken from the source's
 *		columns, which the target has.  A standard list is listed whole every
 *		run: its upsert leaves a row that is as listed alone (no new row
 *		version for an unchanged record, and rows_updated counts changes;
 *		compared as text, which every type has), and writes a record with no
 *		stream time, which cannot be ordered and is what Zendesk holds now.
 */
void
zd_sync_target_plan(ZdSyncTarget *target, Relation source)
{
	TupleDesc	desc = RelationGetDescr(source);
	StringInfoData cols;
	StringInfoData vals;
	StringInfoData sets;
	StringInfoData olds;
	StringInfoData news;
	StringInfoData sql;
	const char *id_col = quote_identifier(NameStr(TupleDescAttr(desc, target->param_att[target->id_param])->attname));

	initStringInfo(&cols);
	initStringInfo(&vals);
	initStringInfo(&sets);
	initStringInfo(&olds);
	initStringInfo(&news);
	initStringInfo(&sql);
	for (int p = 0; p < target->nparams; p++)
	{
		const char *name = quote_identifier(NameStr(TupleDescAttr(desc, target->param_att[p])->attname));

		appendStringInfo(&cols, "%s%s", p > 0 ? ", " : "", name);
		appendStringInfo(&vals, "%s$%d", p > 0 ? ", " : "", p + 1);
		if (p != target->id_param)
		{
			appendStringInfo(&sets, "%s%s = EXCLUDED.%s", sets.len > 0 ? ", " : "", name, name);
			appendStringInfo(&olds, ", t.%s", name);
			appendStringInfo(&news, ", EXCLUDED.%s", name);
		}
	}

	if (target->stream_param < 0)
		appendStringInfo(&sql, "INSERT INTO %s AS t (%s) VALUES (%s) ON CONFLICT (%s) DO NOTHING "
						 "RETURNING true",
						 target->qualified, cols.data, vals.data, id_col);
	else
	{
		const char *ts_col = quote_identifier(NameStr(TupleDescAttr(desc, target->param_att[target->stream_param])->attname));

		appendStringInfo(&sql, "INSERT INTO %s AS t (%s) VALUES (%s) ON CONFLICT (%s) DO UPDATE SET %s ",
						 target->qualified, cols.data, vals.data, id_col,
						 sets.len > 0 ? sets.data : "id = EXCLUDED.id");

		/*
		 * An export keeps the newest version by stream time.  A snapshot's
		 * listing is the truth: a row is written when it differs from what
		 * was listed (compared as text, so that json, which has no
		 * equality, compares too), whatever its time says.
		 */
		if (target->snapshot)
			appendStringInfo(&sql, "WHERE ROW(t.%s%s)::text IS DISTINCT FROM ROW(EXCLUDED.%s%s)::text",
							 id_col, olds.data, id_col, news.data);
		else
			appendStringInfo(&sql, "WHERE (t.%s IS NULL OR EXCLUDED.%s >= t.%s)",
							 ts_col, ts_col, ts_col);
		appendStringInfoString(&sql, " RETURNING (t.xmax = 0)");
		target->upsert = save_plan(sql.data, target->nparams, target->param_types);

		resetStringInfo(&sql);
		appendStringInfo(&sql, "DELETE FROM %s WHERE %s = $1 AND (%s IS NULL OR %s <= $2)",
						 target->qualified, id_col, ts_col, ts_col);
		{
			Oid			types[2] = {INT8OID, target->param_types[target->stream_param]};

			target->remove = save_plan(sql.data, 2, types);
		}
		return;
	}
	target->upsert = save_plan(sql.data, target->nparams, target->param_types);
}

/* The column a mirror of a standard list flags its unlisted rows in. */
#define UNLISTED_COLUMN "unlisted_at"

/*
 * unlisted_column
 *		Delete mode flag, for a standard list: the target's column that
 *		records when a row was first found unlisted.  A target this run
 *		created gets it; an adopted one must have it (timestamptz), and the
 *		source must not have a column of that name, which the upserts would
 *		write.
 */
static void
unlisted_column(ZdSyncTarget *target, Oid source, bool created)
{
	AttrNumber	attnum = get_attnum(target->relid, UNLISTED_COLUMN);
	StringInfoData sql;

	if (get_attnum(source, UNLISTED_COLUMN) != InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_COLUMN),
				 errmsg("foreign table \"%s\" has a column \"%s\"",
						get_rel_name(source), UNLISTED_COLUMN),
				 errdetail("With delete mode \"flag\", the mirror of a standard list records in that column when a row was no longer listed."),
				 errhint("Rename the column of the foreign table, or use delete mode \"remove\".")));
	if (attnum != InvalidAttrNumber)
	{
		if (get_atttype(target->relid, attnum) != TIMESTAMPTZOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column %s of %s is %s, not timestamptz", UNLISTED_COLUMN,
							target->qualified,
							format_type_be(get_atttype(target->relid, attnum))),
					 errdetail("With delete mode \"flag\", the mirror of a standard list records in that column when a row was no longer listed.")));
		return;
	}
	if (!created)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("%s has no column %s", target->qualified, UNLISTED_COLUMN),
				 errdetail("With delete mode \"flag\", the mirror of a standard list records in that column when a row was no longer listed."),
				 errhint("ALTER TABLE %s ADD COLUMN %s timestamptz;", target->qualified,
						 UNLISTED_COLUMN)));
	initStringInfo(&sql);
	appendStringInfo(&sql, "ALTER TABLE %s ADD COLUMN %s timestamptz", target->qualified,
					 UNLISTED_COLUMN);
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not add a column to the sync target: %s", sql.data);
}

/*
 * zd_sync_target_plan_unlisted
 *		The statements that end a whole listing of a standard list, with the
 *		ids it listed as a bigint[] ($1): with delete mode remove, the
 *		removal of every other row; with flag, those rows get unlisted_at
 *		(the time of the run's last transaction, once), and the rows listed
 *		again lose it.  An anti-join against the array, so that the cost
 *		stays linear in the rows and the ids.  created: this run created the
 *		target.
 */
void
zd_sync_target_plan_unlisted(ZdSyncTarget *target, Oid source, ZdDeleteMode mode,
							 bool created)
{
	const char *id_col = quote_identifier(get_attname(source,
													  target->param_att[target->id_param] + 1,
													  false));
	Oid			types[1] = {INT8ARRAYOID};
	StringInfoData sql;

	initStringInfo(&sql);
	if (mode == ZD_DELETE_REMOVE)
	{
		appendStringInfo(&sql, "DELETE FROM %s AS t WHERE NOT EXISTS "
						 "(SELECT FROM pg_catalog.unnest($1) AS l(id) WHERE l.id = t.%s)",
						 target->qualified, id_col);
		target->unlisted = save_plan(sql.data, 1, types);
		return;
	}
	unlisted_column(target, source, created);
	appendStringInfo(&sql, "UPDATE %s AS t SET %s = pg_catalog.now() WHERE t.%s IS NULL AND "
					 "NOT EXISTS (SELECT FROM pg_catalog.unnest($1) AS l(id) WHERE l.id = t.%s)",
					 target->qualified, UNLISTED_COLUMN, UNLISTED_COLUMN, id_col);
	target->unlisted = save_plan(sql.data, 1, types);
	resetStringInfo(&sql);
	appendStringInfo(&sql, "UPDATE %s AS t SET %s = NULL WHERE t.%s IS NOT NULL AND "
					 "t.%s = ANY ($1)",
					 target->qualified, UNLISTED_COLUMN, UNLISTED_COLUMN, id_col);
	target->relisted = save_plan(sql.data, 1, types);
}

/* The columns of a quarantine table, as zd_sync_quarantine_prepare makes it. */
static const struct
{
	const char *name;
	Oid			type;
}			quarantine_columns[] = {
	{"source", REGCLASSOID}, {"id", INT8OID}, {"stream_time", TIMESTAMPTZOID},
	{"error", TEXTOID}, {"record", JSONOID}, {"quarantined_at", TIMESTAMPTZOID},
};

/* Check that an existing table can be a quarantine table. */
static void
check_quarantine(Oid relid, const char *qualified)
{
	Relation	rel = relation_open(relid, AccessShareLock);
	StringInfoData problems;
	AttrNumber	keys[2];

	if (rel->rd_rel->relkind != RELKIND_RELATION &&
		rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("quarantine table %s is not a table", qualified)));
	check_privileges(relid, qualified, "quarantine table", ACL_SELECT | ACL_INSERT | ACL_UPDATE,
					 "SELECT, INSERT and UPDATE");
	initStringInfo(&problems);
	for (size_t i = 0; i < lengthof(quarantine_columns); i++)
	{
		AttrNumber	attnum = get_attnum(relid, quarantine_columns[i].name);

		if (attnum == InvalidAttrNumber)
			appendStringInfo(&problems, "%scolumn %s is missing", problems.len ? "; " : "",
							 quarantine_columns[i].name);
		else if (get_atttype(relid, attnum) != quarantine_columns[i].type)
			appendStringInfo(&problems, "%scolumn %s is %s, not %s", problems.len ? "; " : "",
							 quarantine_columns[i].name,
							 format_type_be(get_atttype(relid, attnum)),
							 format_type_be(quarantine_columns[i].type));
	}
	keys[0] = get_attnum(relid, "source");
	keys[1] = get_attnum(relid, "id");
	if (problems.len == 0 && !has_unique_index_on(rel, 2, keys))
		appendStringInfoString(&problems, "no primary key or unique index on (source, id)");
	if (problems.len > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("table %s cannot be the quarantine table of a sync", qualified),
				 errdetail("%s.", problems.data),
				 errhint("Name a new table to have one created.")));
	relation_close(rel, AccessShareLock);
}

/*
 * zd_sync_quarantine_prepare
 *		The quarantine table, created on first use (the source, the record's
 *		id and stream time, the error, the record as JSON), and the
 *		statement that files a record there (the newest error per id).
 */
void
zd_sync_quarantine_prepare(ZdSyncTarget *target, const char *name, Oid source)
{
	char	   *relname;
	Oid			nsp = resolve_table_name(name, "quarantine table", true, &relname);
	Oid			relid = get_relname_relid(relname, nsp);
	Oid			types[5] = {REGCLASSOID, INT8OID, INT8OID, TEXTOID, TEXTOID};
	char	   *sql;

	target->quarantine = psprintf("%s.%s", quote_identifier(get_namespace_name(nsp)),
								  quote_identifier(relname));
	if (relid == target->relid)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the quarantine table of a sync cannot be its target %s", target->qualified)));
	if (OidIsValid(relid))
		check_quarantine(relid, target->quarantine);
	else
	{
		sql = psprintf("CREATE TABLE %s (source regclass NOT NULL, id bigint NOT NULL, "
					   "stream_time timestamptz, error text NOT NULL, record json NOT NULL, "
					   "quarantined_at timestamptz NOT NULL DEFAULT now(), "
					   "PRIMARY KEY (source, id))", target->quarantine);
		if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "could not create the quarantine table: %s", sql);
	}
	sql = psprintf("INSERT INTO %s AS q (source, id, stream_time, error, record) "
				   "VALUES ($1, $2, to_timestamp($3::float8), $4, $5::json) "
				   "ON CONFLICT (source, id) DO UPDATE SET stream_time = EXCLUDED.stream_time, "
				   "error = EXCLUDED.error, record = EXCLUDED.record, "
				   "quarantined_at = EXCLUDED.quarantined_at", target->quarantine);
	target->quarantine_insert = save_plan(sql, 5, types);
}

/*
 * zd_sync_quarantine
 *		File a record that could not be converted.
 */
void
zd_sync_quarantine(ZdSyncTarget *target, Oid source, int64 id, int64 stream_time,
				   const char *error, const char *record)
{
	Datum		values[5] = {ObjectIdGetDatum(source), Int64GetDatum(id),
		Int64GetDatum(stream_time), CStringGetTextDatum(error),
	CStringGetTextDatum(record)};
	int			rc = SPI_execute_plan(target->quarantine_insert, values, NULL, false, 0);

	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not write to the quarantine table %s: %s", target->quarantine,
			 SPI_result_code_string(rc));
}

/*
 * zd_sync_target_free
 *		Free the saved statements.
 */
void
zd_sync_target_free(ZdSyncTarget *target)
{
	if (target->upsert != NULL)
		SPI_freeplan(target->upsert);
	if (target->remove != NULL)
		SPI_freeplan(target->remove);
	if (target->quarantine_insert != NULL)
		SPI_freeplan(target->quarantine_insert);
	if (target->unlisted != NULL)
		SPI_freeplan(target->unlisted);
	if (target->relisted != NULL)
		SPI_freeplan(target->relisted);
	target->upsert = NULL;
	target->remove = NULL;
	target->quarantine_insert = NULL;
	target->unlisted = NULL;
	target->relisted = NULL;
}

/*
 * zd_sync_target_relfilenode
 *		The target's storage: TRUNCATE gives it a new one.
 */
Oid
zd_sync_target_relfilenode(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			result;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	result = ((Form_pg_class) GETSTRUCT(tuple))->relfilenode;
	ReleaseSysCache(tuple);
	return result;
}
