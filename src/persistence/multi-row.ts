import type BetterSqlite3 from 'better-sqlite3';

/** Rows per statement: a call into SQLite costs about as much as a few rows, so they go 100 at a time. */
const ROWS = 100;

/**
 * An INSERT of many rows in one statement (`INSERT … VALUES (…), (…), … <suffix>`), for the
 * SQLite journal's appends: rows are added one by one and written ROWS at a time, the rest by
 * `flush`. Statements are prepared once per row count.
 */
export class MultiRowInsert {
  private readonly statements = new Map<number, BetterSqlite3.Statement>();
  private values: unknown[] = [];
  private rows = 0;

  constructor(
    private readonly db: BetterSqlite3.Database,
    /** `INSERT INTO t (a, b, c)` */
    private readonly head: string,
    private readonly columns: number,
    /** What follows the values (an ON CONFLICT clause), or ''. */
    private readonly tail = '',
  ) {}

  add(...row: unknown[]): void {
    for (let i = 0; i < row.length; i++) this.values.push(row[i]);
    if (++this.rows === ROWS) this.flush();
  }

  /** Writes the rows added so far. */
  flush(): void {
    if (this.rows === 0) return;
    this.statement(this.rows).run(this.values);
    this.values = [];
    this.rows = 0;
  }

  /** Forgets the rows added and not written (the transaction they were for failed). */
  discard(): void {
    this.values = [];
    this.rows = 0;
  }

  private statement(rows: number): BetterSqlite3.Statement {
    let statement = this.statements.get(rows);
    if (statement === undefined) {
      const one = `(${new Array(this.columns).fill('?').join(', ')})`;
      statement = this.db.prepare(`${this.head} VALUES ${new Array(rows).fill(one).join(', ')} ${this.tail}`);
      this.statements.set(rows, statement);
    }
    return statement;
  }
}
