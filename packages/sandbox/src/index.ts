// Re-exports of the Discord and FACEIT emulators (filled in as they land).
export {};
