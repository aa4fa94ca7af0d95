// The job shapes are part of the contract (the UI shows jobs), so they live in src/shared.
export * from '../../../shared/jobs.js';
