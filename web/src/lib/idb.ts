/**
 * A tiny promise wrapper over `indexedDB`: open with an upgrade step, and one request
 * per transaction. Nothing else of IndexedDB is used by the client.
 */

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

export function openDatabase(name: string, version: number, upgrade: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  if (typeof indexedDB === 'undefined') return Promise.reject(new Error('IndexedDB is not available'));
  const request = indexedDB.open(name, version);
  request.onupgradeneeded = () => upgrade(request.result);
  return promised(request).then((db) => {
    // Another tab deletes it (a logout): let go so the deletion is not blocked.
    db.onversionchange = () => db.close();
    return db;
  });
}

/** Runs one request in its own transaction and resolves once the transaction is done (written, for readwrite). */
export function run<T>(db: IDBDatabase, store: string, mode: IDBTransactionMode, make: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = make(tx.objectStore(store));
    let result: T;
    request.onsuccess = () => {
      result = request.result;
    };
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error ?? request.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export function deleteDatabase(name: string): Promise<void> {
  if (typeof indexedDB === 'undefined') return Promise.resolve();
  return promised(indexedDB.deleteDatabase(name)).then(() => undefined);
}
