import { FailureType } from '#binding';
console.log(FailureType.HtmMismatch);
