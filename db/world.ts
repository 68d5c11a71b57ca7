import { cacheStatements, type DB } from './store.js';
import { Clock } from './clock.js';
import { AppStore } from './apps.js';
import { UserStore } from './users.js';
import { OAuth2Store } from './oauth2.js';
import { OAuth1Store } from './oauth1.js';
import { FileStore } from './files.js';
import { TweetStore } from './tweets.js';
import { RelationStore } from './relations.js';
import { defaultRules, type WriteRules } from './rules.js';

/**
 * One emulated world: a SQLite store plus the clock and write rules it runs under.
 * Routes reach it through the request (`request.world`), never through a module global,
 * so reset, snapshots and isolated worlds only swap this object.
 */
export class World {
  readonly apps: AppStore;
  readonly users: UserStore;
  readonly oauth2: OAuth2Store;
  readonly oauth1: OAuth1Store;
  readonly files: FileStore;
  readonly tweets: TweetStore;
  readonly relations: RelationStore;

  constructor(
    readonly db: DB,
    readonly clock: Clock = new Clock(),
    readonly rules: WriteRules = defaultRules(),
  ) {
    cacheStatements(db);
    this.apps = new AppStore(this);
    this.users = new UserStore(this);
    this.oauth2 = new OAuth2Store(this);
    this.oauth1 = new OAuth1Store(this);
    this.files = new FileStore(this);
    this.tweets = new TweetStore(this);
    this.relations = new RelationStore(this);
  }

  /**
   * Runs fn in one SQLite transaction (nested calls become savepoints). BEGIN IMMEDIATE: the write
   * lock is taken up front (waiting busy_timeout), so processes sharing one file never fail with
   * SQLITE_BUSY_SNAPSHOT when a read-then-write transaction loses the race (found by
   * test/robustness/concurrency.test.ts).
   */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  now(): number {
    return this.clock.now();
  }
}
