export * from './textract-amounts.ts';
export * from './textract-completion.ts';
export * from './textract-extractor.ts';
export * from './textract-mapper.ts';
