// Worker thread: receives batches of scan units, answers with their findings and errors.
import { parentPort, workerData } from 'node:worker_threads';
import { emptyUnitResult } from './report';
import { UnitScanner, type ScanUnit, type ScanUnitContext } from './scan-unit';

const scanner = new UnitScanner(workerData as ScanUnitContext);

parentPort!.on('message', (batch: ScanUnit[]) => {
  const result = emptyUnitResult();
  for (const unit of batch) scanner.scan(unit, result);
  parentPort!.postMessage(result);
});
